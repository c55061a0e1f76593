import { DeviceType } from './domain';

const DAY = 24 * 3600;

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
  /** Caps over every device class (see `REFRESH_LIFETIMES`); a deployment may lower them. */
  refreshIdleSeconds: 90 * DAY,
  refreshAbsoluteSeconds: 365 * DAY,
} as const;

/**
 * Refresh-token lifetimes per device class: `idle` since the token was last used (sliding),
 * `absolute` since sign-in (hard). Living-room devices are hard to sign in on and rarely leave
 * the home, so they keep their sessions longest; a browser, on a shared or borrowed computer,
 * least (NIST SP 800-63B-4 leaves the values to risk; ASVS 7.1.1 asks that they be written down).
 */
export const REFRESH_LIFETIMES: Record<DeviceType, { idleSeconds: number; absoluteSeconds: number }> = {
  tv: { idleSeconds: 90 * DAY, absoluteSeconds: 365 * DAY },
  streaming_stick: { idleSeconds: 90 * DAY, absoluteSeconds: 365 * DAY },
  console: { idleSeconds: 90 * DAY, absoluteSeconds: 365 * DAY },
  phone: { idleSeconds: 60 * DAY, absoluteSeconds: 180 * DAY },
  tablet: { idleSeconds: 60 * DAY, absoluteSeconds: 180 * DAY },
  computer: { idleSeconds: 30 * DAY, absoluteSeconds: 90 * DAY },
  browser: { idleSeconds: 14 * DAY, absoluteSeconds: 30 * DAY },
  other: { idleSeconds: 30 * DAY, absoluteSeconds: 90 * DAY },
};

/**
 * Time-limited sign-in, for a borrowed or hotel screen: the device asks at login for a lifetime
 * in this range; the session then ends by itself at that time (and fans out like any revocation).
 */
export const TIME_LIMITED_SIGN_IN = {
  minSeconds: 3600,
  maxSeconds: 3 * DAY,
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

/**
 * How long a revocation must be remembered: until every token it concerns has expired (TTL plus
 * clock tolerance), with a minute's margin for clock skew between hosts. Gateways replay the
 * SECURITY stream this far back, and auth-service republishes this far back after a stream loss.
 */
export function revocationRetentionMs(accessTokenTtlSeconds: number): number {
  return (accessTokenTtlSeconds + TOKEN_POLICY.clockToleranceSeconds + 60) * 1000;
}
