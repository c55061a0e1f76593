import { randomUUID } from 'node:crypto';
import { AccessTokenClaims, TOKEN_POLICY } from '@signoff/contracts';
import { CryptoKey, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, JWK, jwtVerify, SignJWT } from 'jose';
import { AccessTokenSubject, mintAccessToken, SigningMaterial } from './access-token';

describe('mintAccessToken', () => {
  let key: SigningMaterial;
  let publicJwk: JWK;
  const subject: AccessTokenSubject = { accountId: randomUUID(), sessionId: randomUUID(), deviceId: 'tv-living-room', epoch: 3, plan: 'standard' };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = { kid: 'kid-1', privateKey: pair.privateKey };
    publicJwk = await exportJWK(pair.publicKey);
  });

  /** Verifies as a gateway does, with nothing but the exported public JWK. */
  async function verify(token: string, options: { audience?: string; typ?: string } = {}): Promise<AccessTokenClaims> {
    const publicKey = (await importJWK(publicJwk, 'RS256')) as CryptoKey;
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['RS256'],
      issuer: TOKEN_POLICY.issuer,
      audience: options.audience ?? TOKEN_POLICY.audience,
      typ: options.typ ?? TOKEN_POLICY.accessTokenType,
    });
    return payload as unknown as AccessTokenClaims;
  }

  it('signs RS256 with the key id and typ at+jwt in the protected header', async () => {
    const token = await mintAccessToken(key, subject, 600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: 'kid-1', typ: 'at+jwt' });
  });

  it('carries exactly the pinned claims, nbf = iat and exp = iat + ttl', async () => {
    const now = new Date();
    const claims = await verify(await mintAccessToken(key, subject, 600, now));
    const iat = Math.floor(now.getTime() / 1000);
    expect(claims).toEqual({
      sub: subject.accountId,
      sid: subject.sessionId,
      did: subject.deviceId,
      epoch: 3,
      plan: 'standard',
      iss: 'signoff-auth',
      aud: 'signoff-gateway',
      iat,
      nbf: iat,
      exp: iat + 600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('adds pid and kids only when a profile is selected', async () => {
    const profileId = randomUUID();
    const claims = await verify(await mintAccessToken(key, { ...subject, profile: { profileId, kids: true } }, 600));
    expect(claims).toMatchObject({ pid: profileId, kids: true });
    const without = await verify(await mintAccessToken(key, subject, 600));
    expect(without).not.toHaveProperty('pid');
    expect(without).not.toHaveProperty('kids');
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([mintAccessToken(key, subject, 600), mintAccessToken(key, subject, 600)]);
    expect((await verify(a)).jti).not.toBe((await verify(b)).jti);
  });

  it('is refused by a verifier pinned to another audience or typ, or once expired', async () => {
    const token = await mintAccessToken(key, subject, 600);
    await expect(verify(token, { audience: 'someone-else' })).rejects.toThrow();
    await expect(verify(token, { typ: 'JWT' })).rejects.toThrow();
    const old = await mintAccessToken(key, subject, 60, new Date(Date.now() - 3_600_000));
    await expect(verify(old)).rejects.toThrow(/exp/);
  });

  it('cannot be forged with another key under the same kid', async () => {
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({ sub: subject.accountId })
      .setProtectedHeader({ alg: 'RS256', kid: 'kid-1', typ: 'at+jwt' })
      .setIssuer(TOKEN_POLICY.issuer)
      .setAudience(TOKEN_POLICY.audience)
      .setExpirationTime('5m')
      .sign(other.privateKey);
    await expect(verify(forged)).rejects.toThrow(/signature/);
  });
});
