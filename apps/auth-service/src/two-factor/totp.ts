import { randomInt } from 'node:crypto';
import { TOTP_POLICY } from '@signoff/contracts';
import { Secret, TOTP } from 'otpauth';

/** A fresh TOTP secret: 160 bits (RFC 4226 recommends the HMAC-SHA-1 output size), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = ''): TOTP {
  return new TOTP({
    issuer: TOTP_POLICY.issuer,
    label,
    algorithm: TOTP_POLICY.algorithm,
    digits: TOTP_POLICY.digits,
    period: TOTP_POLICY.periodSeconds,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** `otpauth://totp/Signoff:<email>?issuer=Signoff&secret=…&algorithm=SHA1&digits=6&period=30` */
export function otpauthUri(secretBase32: string, email: string): string {
  return totp(secretBase32, email).toString();
}

/**
 * The time step a code belongs to, if it is valid at `at` within ±1 step; undefined otherwise.
 * The caller refuses a step already used (replay protection).
 */
export function stepOfCode(secretBase32: string, code: string, at: Date): number | undefined {
  const generator = totp(secretBase32);
  const delta = generator.validate({ token: code, timestamp: at.getTime(), window: TOTP_POLICY.windowSteps });
  if (delta === null) return undefined;
  return generator.counter({ timestamp: at.getTime() }) + delta;
}

/** Crockford's base32 alphabet: no I, L, O or U, so codes read back without confusion. */
const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RECOVERY_LENGTH = 10;

/** Ten characters (50 bits from a CSPRNG), shown as `XXXXX-XXXXX`. */
export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < RECOVERY_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export type PresentedCode = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string } | { kind: 'malformed' };

/** Tells a TOTP code from a recovery code, ignoring the spaces, dashes and case people type. */
export function classifyCode(input: string): PresentedCode {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  if (new RegExp(`^\\d{${TOTP_POLICY.digits}}$`).test(compact)) return { kind: 'totp', code: compact };
  if (compact.length === RECOVERY_LENGTH && [...compact].every((c) => RECOVERY_ALPHABET.includes(c))) return { kind: 'recovery', code: compact };
  return { kind: 'malformed' };
}
