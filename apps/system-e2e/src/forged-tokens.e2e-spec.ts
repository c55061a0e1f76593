import { TOKEN_POLICY } from '@signoff/contracts';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, JWK, SignJWT } from 'jose';
import { Client } from 'pg';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { http, TestStack } from './support/test-stack';

/** The stack's `SIGNING_KEY_ENCRYPTION_KEY`: the spec plays someone holding the database and the key. */
const SEALING_KEY = randomBytes(32);

/** Opens a value auth-service sealed at rest (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>`, bound to `boundTo`). */
function openSealed(sealed: string, key: Buffer, boundTo: string): string {
  const [, iv, tag, ciphertext] = sealed.split('.').map((part, i) => (i === 0 ? part : Buffer.from(part, 'base64url'))) as [string, Buffer, Buffer, Buffer];
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(boundTo, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

/**
 * Forged and misused tokens against the real gateways. The spec signs with the stack's own
 * private key (read from its test database and opened with the stack's sealing key) and shows
 * that a correct token passes, so each refusal below is about the one thing that was changed, not
 * about a broken harness.
 */
describe('forged tokens are refused with 401 on every gateway', () => {
  let stack: TestStack;
  let realKey: { kid: string; privateJwk: JWK; publicJwk: JWK };
  let genuine: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, authEnv: { SIGNING_KEY_ENCRYPTION_KEY: SEALING_KEY.toString('hex') } });
    const holder = await stack.signUp();
    const tv = stack.device(0, { id: 'tv', type: 'tv', name: 'TV' });
    await tv.signIn(holder.email, holder.password);
    genuine = { accessToken: tv.tokens!.accessToken, refreshToken: tv.tokens!.refreshToken };
    const db = new Client({ connectionString: stack.stack.auth.options.env.DATABASE_URL });
    await db.connect();
    try {
      const { kid } = decodeProtectedHeader(genuine.accessToken);
      const { rows } = await db.query<{ kid: string; private_jwk: JWK | null; sealed_private_key: string; public_jwk: JWK }>(
        'SELECT kid, private_jwk, sealed_private_key, public_jwk FROM auth.signing_keys WHERE kid = $1',
        [kid],
      );
      // A copy of the table alone holds no private key.
      expect(rows[0].private_jwk).toBeNull();
      expect(() => openSealed(rows[0].sealed_private_key, randomBytes(32), rows[0].kid)).toThrow();
      realKey = { kid: rows[0].kid, privateJwk: JSON.parse(openSealed(rows[0].sealed_private_key, SEALING_KEY, rows[0].kid)) as JWK, publicJwk: rows[0].public_jwk };
    } finally {
      await db.end();
    }
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = () => ({ ...decodeJwt(genuine.accessToken), jti: `forged-${Math.random()}` });
  const now = () => Math.floor(Date.now() / 1000);

  /** Signs `payload` with the stack's real RS256 key, with header overrides. */
  async function signWithRealKey(payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    const key = await importJWK(realKey.privateJwk, 'RS256');
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: realKey.kid, typ: TOKEN_POLICY.accessTokenType, ...header }).sign(key);
  }

  async function expectRefused(token: string, code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' = 'TOKEN_INVALID'): Promise<void> {
    for (const gateway of [0, 1]) {
      const response = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token });
      expect({ gateway, status: response.status, code: response.body?.error?.code }).toEqual({ gateway, status: 401, code });
    }
  }

  it('accepts a token the harness signs correctly (the control)', async () => {
    const token = await signWithRealKey(claims());
    for (const gateway of [0, 1]) expect((await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token })).status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    await expectRefused(`${b64({ alg: 'none', kid: realKey.kid, typ: TOKEN_POLICY.accessTokenType })}.${b64(claims())}.`);
  });

  it('refuses HS256 keyed with the public key (as JWK JSON and as its modulus)', async () => {
    for (const secret of [JSON.stringify(realKey.publicJwk), String(realKey.publicJwk.n)]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: realKey.kid, typ: TOKEN_POLICY.accessTokenType })
        .sign(new TextEncoder().encode(secret));
      await expectRefused(token);
    }
  });

  it('refuses other algorithms and other keys under the real kid', async () => {
    for (const alg of ['ES256', 'PS256', 'RS512', 'EdDSA'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const token = await new SignJWT(claims()).setProtectedHeader({ alg, kid: realKey.kid, typ: TOKEN_POLICY.accessTokenType }).sign(privateKey);
      await expectRefused(token);
    }
    const attacker = await generateKeyPair('RS256', { extractable: true });
    await expectRefused(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: realKey.kid, typ: 'at+jwt' }).sign(attacker.privateKey));
    // A key the attacker publishes under a kid of its own choosing is never fetched from the token.
    const jwk = await exportJWK(attacker.publicKey);
    await expectRefused(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'attacker', jwk, typ: 'at+jwt' }).sign(attacker.privateKey));
  });

  it('refuses a wrong audience, issuer, type, a missing kid, a future nbf and a tampered payload', async () => {
    await expectRefused(await signWithRealKey({ ...claims(), aud: 'some-other-api' }));
    await expectRefused(await signWithRealKey({ ...claims(), iss: 'someone-else' }));
    await expectRefused(await signWithRealKey(claims(), { typ: 'JWT' }));
    await expectRefused(await signWithRealKey(claims(), { kid: undefined }));
    await expectRefused(await signWithRealKey({ ...claims(), nbf: now() + 3600 }));
    const [header, , signature] = genuine.accessToken.split('.');
    await expectRefused(`${header}.${b64({ ...claims(), sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`);
  });

  it('refuses a token signed with the real key that lives longer than the signer issues them (a stolen key cannot mint a year-long token)', async () => {
    const issued = now();
    await expectRefused(await signWithRealKey({ ...claims(), iat: issued, nbf: issued, exp: issued + 365 * 86_400 }));
    await expectRefused(await signWithRealKey({ ...claims(), iat: issued, nbf: issued, exp: issued + TOKEN_POLICY.accessTokenTtlSeconds + 120 }));
  });

  it('refuses an expired token as TOKEN_EXPIRED', async () => {
    await expectRefused(await signWithRealKey({ ...claims(), iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }), 'TOKEN_EXPIRED');
  });

  it('refuses a refresh token used as an access token', async () => {
    await expectRefused(genuine.refreshToken);
  });
});
