import { createHash, randomBytes } from 'node:crypto';
import { TOKEN_POLICY } from '@signoff/contracts';

/** Prefixes make a leaked token recognisable (secret scanners, logs) and say what it is for. */
export const REFRESH_TOKEN_PREFIX = 'rt_';
export const REAUTH_TOKEN_PREFIX = 'ra_';

/** 256 bits from the CSPRNG, base64url, behind a prefix (ASVS 10.4.5 asks for at least 128). */
export function newOpaqueToken(prefix: typeof REFRESH_TOKEN_PREFIX | typeof REAUTH_TOKEN_PREFIX): string {
  return prefix + randomBytes(TOKEN_POLICY.refreshTokenBytes).toString('base64url');
}

/**
 * What is stored instead of the token: SHA-256, hex. A fast hash is enough for 256 random
 * bits (nothing to guess), and it lets the token be found by an indexed lookup.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
