import { randomUUID } from 'node:crypto';
import { AccessTokenClaims, TOKEN_POLICY } from '@signoff/contracts';
import { CryptoKey, SignJWT } from 'jose';

/** Who an access token speaks for. */
export interface AccessTokenSubject {
  accountId: string;
  sessionId: string;
  deviceId: string;
  /** The account's epoch as read under the session lock. */
  epoch: number;
  plan: string;
  profile?: { profileId: string; kids: boolean };
  /** The session is kids-restricted (`Session.kidsRestricted`): `kids: true` whatever the profile. */
  kidsRestricted?: boolean;
}

/** The private half of the active signing key, with the id verifiers look it up by. */
export interface SigningMaterial {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * Mints a Signoff access token (RFC 9068 shape): RS256 only, `typ: at+jwt`, pinned `iss` and
 * `aud`, `nbf = iat`, `exp = iat + ttl`, a fresh `jti`. Pure apart from the clock and `jti`.
 */
export function mintAccessToken(key: SigningMaterial, subject: AccessTokenSubject, ttlSeconds: number, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims = {
    sub: subject.accountId,
    sid: subject.sessionId,
    did: subject.deviceId,
    epoch: subject.epoch,
    plan: subject.plan,
    ...(subject.profile ? { pid: subject.profile.profileId } : {}),
    ...(subject.profile || subject.kidsRestricted ? { kids: subject.profile?.kids === true || subject.kidsRestricted === true } : {}),
    iss: TOKEN_POLICY.issuer,
    aud: TOKEN_POLICY.audience,
    iat,
    nbf: iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
  } satisfies AccessTokenClaims;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_POLICY.algorithm, kid: key.kid, typ: TOKEN_POLICY.accessTokenType })
    .sign(key.privateKey);
}
