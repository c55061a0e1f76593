import { hashOpaqueToken, newOpaqueToken, REAUTH_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from './opaque-token';

describe('opaque tokens (refresh and reauth)', () => {
  it('are the prefix plus 256 random bits in base64url', () => {
    const token = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    expect(newOpaqueToken(REAUTH_TOKEN_PREFIX)).toMatch(/^ra_[A-Za-z0-9_-]{43}$/);
  });

  it('never repeat', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => newOpaqueToken(REFRESH_TOKEN_PREFIX)));
    expect(tokens.size).toBe(1_000);
  });

  it('are stored as their SHA-256 in hex, deterministic and not containing the token', () => {
    const token = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    const hash = hashOpaqueToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOpaqueToken(token)).toBe(hash);
    expect(hashOpaqueToken(`${token}x`)).not.toBe(hash);
    expect(hash).not.toContain(token.slice(3));
    // A known vector, so the stored form cannot drift silently.
    expect(hashOpaqueToken('rt_test')).toBe('20eb736836a23a9ea82bb7fcc9712777c435f4037407f96ba986b2a1cbfd0fb2');
  });
});
