/**
 * Token facts that the signer (auth-service) and the verifiers (gateways) must agree on.
 * Lifetimes are defaults; each service reads overrides through its own config.
 */
export const TOKEN_POLICY = {
  /** One pinned algorithm (RFC 8725): RS256 verifies fastest on Node 20 (≈19k/s a core). */
  algorithm: 'RS256',
  issuer: 'signoff-auth',
  audience: 'signoff-gateway',
  /** JWT `typ` header of access tokens (RFC 9068), so no other JWT passes as one. */
  accessTokenType: 'at+jwt',
  accessTokenTtlSeconds: 600,
  /** The one clock tolerance for `exp`/`nbf`/`iat`. */
  clockToleranceSeconds: 30,
  reauthTtlSeconds: 300,
  /** Refresh tokens: 256 bits from a CSPRNG, base64url; stored as SHA-256. */
  refreshTokenBytes: 32,
  refreshIdleSeconds: 30 * 24 * 3600,
  refreshAbsoluteSeconds: 180 * 24 * 3600,
} as const;

/** Claims of a Signoff access token. */
export interface AccessTokenClaims {
  /** Account id. */
  sub: string;
  /** Session id. */
  sid: string;
  /** Device id (as the device named itself). */
  did: string;
  /** The account's session epoch when the token was minted. */
  epoch: number;
  plan: string;
  /** Selected profile, when one is. */
  pid?: string;
  /** Whether the selected profile is a kids profile. */
  kids?: boolean;
  iss: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

/** Who a verified request comes from; what `@CurrentPrincipal()` hands a controller. */
export interface Principal {
  accountId: string;
  sessionId: string;
  deviceId: string;
  profileId?: string;
  kids: boolean;
  plan: string;
  epoch: number;
  expiresAt: number;
}

/** A public signing key as served to verifiers. */
export interface PublicSigningKey {
  kid: string;
  alg: string;
  kty: string;
  use: 'sig';
  n?: string;
  e?: string;
  /** Epoch seconds after which verifiers may drop it. */
  notAfter?: number;
}
