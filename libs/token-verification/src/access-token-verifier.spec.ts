import { PublicSigningKey, SignoffError, TOKEN_POLICY } from '@signoff/contracts';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AccessTokenVerifier, SigningKeySource } from './access-token-verifier';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

interface SignOptions {
  key?: Keys;
  kid?: string;
  typ?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  payload?: Record<string, unknown>;
}

describe('AccessTokenVerifier', () => {
  let keys: Keys;
  let otherKeys: Keys;
  let published: PublicSigningKey[];
  let fetches: number;
  const source: SigningKeySource = {
    fetchKeys: async () => {
      fetches++;
      return published;
    },
  };
  const options = { clockToleranceSeconds: 30, maxLifetimeSeconds: 600, maxCachedTokens: 100, minKeyRefreshIntervalMs: 0 };
  const claims = { sub: 'acc', sid: 'ses', did: 'tv', epoch: 1, plan: 'basic' };

  const sign = (over: SignOptions = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, ...over.payload })
      .setProtectedHeader({ alg: 'RS256', kid: over.kid ?? 'k1', typ: over.typ ?? TOKEN_POLICY.accessTokenType })
      .setIssuer(over.iss ?? TOKEN_POLICY.issuer)
      .setAudience(over.aud ?? TOKEN_POLICY.audience)
      .setIssuedAt(over.iat ?? now)
      .setNotBefore(over.nbf ?? now)
      .setExpirationTime(over.exp ?? now + 600)
      .setJti('j')
      .sign((over.key ?? keys).privateKey);
  };

  const outcome = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
      return 'ACCEPTED';
    } catch (error) {
      return error instanceof SignoffError ? error.code : `unexpected ${String(error)}`;
    }
  };

  const ready = async (extra: Partial<typeof options> = {}): Promise<AccessTokenVerifier> => {
    const verifier = new AccessTokenVerifier(source, { ...options, ...extra });
    await verifier.refreshKeys();
    return verifier;
  };

  beforeAll(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    otherKeys = await generateKeyPair('RS256', { extractable: true });
  });

  beforeEach(async () => {
    const jwk = await exportJWK(keys.publicKey);
    published = [{ kid: 'k1', alg: 'RS256', kty: 'RSA', use: 'sig', n: jwk.n, e: jwk.e }];
    fetches = 0;
  });

  it('accepts a well-formed token and returns its principal', async () => {
    const verifier = await ready();
    const principal = await verifier.verify(await sign());
    expect(principal).toMatchObject({ accountId: 'acc', sessionId: 'ses', deviceId: 'tv', epoch: 1, plan: 'basic', kids: false });
  });

  it('serves a verified token from the cache', async () => {
    const verifier = await ready();
    const token = await sign();
    expect(verifier.cached(token)).toBeUndefined();
    const first = await verifier.verify(token);
    expect(verifier.cached(token)).toBe(first);
  });

  it.each<[string, SignOptions]>([
    ['a wrong issuer', { iss: 'someone-else' }],
    ['a wrong audience', { aud: 'another-api' }],
    ['a wrong typ (not an access token)', { typ: 'JWT' }],
    ['a not-before in the future', { nbf: Math.floor(Date.now() / 1000) + 3600 }],
    ['a missing claim', { payload: { sid: undefined } }],
    ['a mistyped claim', { payload: { epoch: 'one' } }],
  ])('refuses a token with %s as TOKEN_INVALID', async (_name, over) => {
    const verifier = await ready();
    expect(await outcome(verifier.verify(await sign(over)))).toBe('TOKEN_INVALID');
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const verifier = await ready();
    expect(await outcome(verifier.verify(await sign({ key: otherKeys })))).toBe('TOKEN_INVALID');
  });

  it('refuses a correctly signed token that lives longer than the signer issues them, or was issued in the future', async () => {
    const verifier = await ready();
    const now = Math.floor(Date.now() / 1000);
    expect(await outcome(verifier.verify(await sign({ exp: now + 365 * 86_400 })))).toBe('TOKEN_INVALID');
    expect(await outcome(verifier.verify(await sign({ exp: now + 631 })))).toBe('TOKEN_INVALID');
    expect(await outcome(verifier.verify(await sign({ iat: now + 120, nbf: now, exp: now + 600 })))).toBe('TOKEN_INVALID');
    expect(await outcome(verifier.verify(await sign({ exp: now + 630 })))).toBe('ACCEPTED');
  });

  it('refuses an expired token (beyond the tolerance) as TOKEN_EXPIRED', async () => {
    const verifier = await ready();
    expect(await outcome(verifier.verify(await sign({ exp: Math.floor(Date.now() / 1000) - 31 })))).toBe('TOKEN_EXPIRED');
  });

  it('refuses alg none, HS256 keyed with the public key, a tampered payload and garbage', async () => {
    const verifier = await ready();
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = { ...claims, iss: TOKEN_POLICY.issuer, aud: TOKEN_POLICY.audience, iat: now, nbf: now, exp: now + 600 };
    const none = `${b64({ alg: 'none', kid: 'k1', typ: 'at+jwt' })}.${b64(body)}.`;
    const hs = await new SignJWT(body)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' })
      .sign(Buffer.from(JSON.stringify(published[0])));
    const [header, , signature] = (await sign()).split('.');
    const tampered = `${header}.${b64({ ...body, sub: 'victim' })}.${signature}`;
    for (const token of [none, hs, tampered, 'not-a-jwt', 'a.b.c', 'x'.repeat(5000)]) {
      expect(await outcome(verifier.verify(token))).toBe('TOKEN_INVALID');
    }
  });

  it('fetches keys again for an unknown kid (rotation) and accepts tokens under the new key', async () => {
    const verifier = await ready();
    const jwk = await exportJWK(otherKeys.publicKey);
    published = [...published, { kid: 'k2', alg: 'RS256', kty: 'RSA', use: 'sig', n: jwk.n, e: jwk.e }];
    expect(await outcome(verifier.verify(await sign({ key: otherKeys, kid: 'k2' })))).toBe('ACCEPTED');
    expect(fetches).toBe(2);
    expect(verifier.keyIds.sort()).toEqual(['k1', 'k2']);
  });

  it('rate-limits key refreshes triggered by unknown kids', async () => {
    const verifier = await ready({ minKeyRefreshIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      expect(await outcome(verifier.verify(await sign({ kid: `forged-${i}` })))).toBe('TOKEN_INVALID');
    }
    expect(fetches).toBe(1);
  });

  it('evicts the oldest cached tokens beyond its cap', async () => {
    const verifier = await ready({ maxCachedTokens: 10 });
    const tokens: string[] = [];
    for (let i = 0; i < 11; i++) {
      const token = await sign({ payload: { sid: `s${i}` } });
      tokens.push(token);
      await verifier.verify(token);
    }
    expect(verifier.cached(tokens[0])).toBeUndefined();
    expect(verifier.cached(tokens[10])?.sessionId).toBe('s10');
  });
});
