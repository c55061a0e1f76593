import { Logger } from '@nestjs/common';
import { AccessTokenClaims, Principal, PublicSigningKey, SignoffError, TOKEN_POLICY } from '@signoff/contracts';
import { errors, importJWK, JWTHeaderParameters, jwtVerify } from 'jose';

/** Where verifiers get the signer's public keys (the gateway asks auth-service over NATS). */
export interface SigningKeySource {
  fetchKeys(): Promise<PublicSigningKey[]>;
}

export interface VerifierOptions {
  clockToleranceSeconds: number;
  /**
   * The access-token lifetime the signer mints with. A token living longer (`exp - iat` beyond it
   * and the tolerance) was not minted by the signer: signed with a stolen key, it would outlive
   * every revocation, which the view remembers for one lifetime only.
   */
  maxLifetimeSeconds: number;
  /** Verified tokens are remembered until they expire; the oldest go first beyond this. */
  maxCachedTokens: number;
  /** An unknown `kid` triggers a key refresh at most this often (forged kids cannot flood auth). */
  minKeyRefreshIntervalMs: number;
}

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;

const MAX_TOKEN_LENGTH = 4_096;

/**
 * Verifies access tokens locally: one pinned algorithm, pinned `iss`/`aud`/`typ`, `exp`/`nbf`
 * with one clock tolerance, keys by `kid`. Signature checks are the gateway's hottest cost, so
 * a verified token is cached until its `exp`: later requests cost a Map lookup. (Revocation is
 * checked separately, on every request, by the revocation view.)
 */
export class AccessTokenVerifier {
  private readonly logger = new Logger(AccessTokenVerifier.name);
  private readonly keys = new Map<string, VerificationKey>();
  private readonly cache = new Map<string, Principal>();
  private lastKeyRefresh = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly source: SigningKeySource,
    private readonly options: VerifierOptions,
  ) {}

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Loads (or reloads) the signer's keys; keys no longer published are dropped. */
  async refreshKeys(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const published = await this.source.fetchKeys();
        const next = new Map<string, VerificationKey>();
        for (const jwk of published) {
          if (jwk.alg !== TOKEN_POLICY.algorithm) continue;
          next.set(jwk.kid, this.keys.get(jwk.kid) ?? (await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, TOKEN_POLICY.algorithm)));
        }
        this.keys.clear();
        for (const [kid, key] of next) this.keys.set(kid, key);
        this.lastKeyRefresh = Date.now();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** The principal of an already verified, unexpired token, without any async work. */
  cached(token: string, now = Date.now()): Principal | undefined {
    const principal = this.cache.get(token);
    if (!principal) return undefined;
    if ((principal.expiresAt + this.options.clockToleranceSeconds) * 1000 > now) return principal;
    this.cache.delete(token);
    return undefined;
  }

  async verify(token: string): Promise<Principal> {
    const hit = this.cached(token);
    if (hit) return hit;
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('the access token is too long');
    let claims: AccessTokenClaims;
    try {
      const { payload } = await jwtVerify(token, (header) => this.keyFor(header), {
        algorithms: [TOKEN_POLICY.algorithm],
        issuer: TOKEN_POLICY.issuer,
        audience: TOKEN_POLICY.audience,
        typ: TOKEN_POLICY.accessTokenType,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['sub', 'sid', 'did', 'epoch', 'exp', 'iat', 'nbf'],
      });
      claims = payload as unknown as AccessTokenClaims;
    } catch (error) {
      if (error instanceof SignoffError) throw error;
      if (error instanceof errors.JWTExpired) throw new SignoffError('TOKEN_EXPIRED', 'the access token has expired; refresh it');
      throw invalid('the access token is not valid');
    }
    if (claims.exp - claims.iat > this.options.maxLifetimeSeconds + this.options.clockToleranceSeconds) {
      throw invalid('the access token lives longer than the signer issues them');
    }
    if (claims.iat > Date.now() / 1000 + this.options.clockToleranceSeconds) throw invalid('the access token was issued in the future');
    const principal = toPrincipal(claims);
    this.remember(token, principal);
    return principal;
  }

  private async keyFor(header: JWTHeaderParameters): Promise<VerificationKey> {
    const kid = header.kid;
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) throw invalid('the access token names no signing key');
    const known = this.keys.get(kid);
    if (known) return known;
    // A key we have not seen: perhaps rotated in since we last looked. Ask, but not too often.
    if (Date.now() - this.lastKeyRefresh >= this.options.minKeyRefreshIntervalMs) {
      try {
        await this.refreshKeys();
      } catch (error) {
        this.logger.warn(`could not refresh signing keys: ${(error as Error).message}`);
        throw new SignoffError('DEPENDENCY_UNAVAILABLE', 'signing keys are unavailable right now; try again');
      }
    }
    const refreshed = this.keys.get(kid);
    if (!refreshed) throw invalid('the access token is signed with an unknown key');
    return refreshed;
  }

  private remember(token: string, principal: Principal): void {
    if (this.cache.size >= this.options.maxCachedTokens) {
      // Map iterates in insertion order: drop the oldest tenth in one go.
      let drop = Math.ceil(this.options.maxCachedTokens / 10);
      for (const key of this.cache.keys()) {
        this.cache.delete(key);
        if (--drop === 0) break;
      }
    }
    this.cache.set(token, principal);
  }
}

function invalid(message: string): SignoffError {
  return new SignoffError('TOKEN_INVALID', message);
}

function toPrincipal(claims: AccessTokenClaims): Principal {
  const ok =
    typeof claims.sub === 'string' &&
    typeof claims.sid === 'string' &&
    typeof claims.did === 'string' &&
    Number.isInteger(claims.epoch) &&
    typeof claims.plan === 'string' &&
    (claims.pid === undefined || typeof claims.pid === 'string');
  if (!ok) throw invalid('the access token is missing required claims');
  return {
    accountId: claims.sub,
    sessionId: claims.sid,
    deviceId: claims.did,
    profileId: claims.pid,
    kids: claims.kids === true,
    plan: claims.plan,
    epoch: claims.epoch,
    expiresAt: claims.exp,
  };
}
