import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { TwoFactorConfig } from './two-factor.config';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Only ever used when no key is configured; the warning at start says so. */
const DEVELOPMENT_KEY = createHash('sha256').update('signoff development TOTP key - never use in production').digest();

/**
 * The cryptography of two-factor sign-in at rest. Two keys are derived (HKDF-SHA-256) from the
 * one application key: one encrypts TOTP secrets with AES-256-GCM, bound to their account as
 * associated data (a sealed secret copied to another row does not open); the other keys the
 * HMAC-SHA-256 of recovery codes, so the stored hashes cannot be brute-forced offline without it.
 */
export class TwoFactorCrypto {
  private readonly encryptionKey: Buffer;
  private readonly recoveryKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the two-factor key must be 32 bytes');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'signoff totp secret v1', 32));
    this.recoveryKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'signoff recovery code v1', 32));
  }

  static fromConfig(config: TwoFactorConfig, logger = new Logger(TwoFactorCrypto.name)): TwoFactorCrypto {
    const raw = config.TOTP_SECRET_KEY;
    if (raw === '') {
      logger.warn(
        '!!! TOTP_SECRET_KEY is not set: two-factor secrets are encrypted with a PUBLIC DEVELOPMENT KEY. ' +
          'Set TOTP_SECRET_KEY (32 random bytes, hex or base64) before any real account enrols. !!!',
      );
      return new TwoFactorCrypto(DEVELOPMENT_KEY);
    }
    return new TwoFactorCrypto(/^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64'));
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url). */
  seal(plaintext: string, accountId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(accountId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** Throws when the value was not sealed for this account with this key. */
  open(sealed: string, accountId: string): string {
    const [format, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new Error('unknown sealed secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(accountId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The stored form of a (normalised) recovery code of one account. */
  recoveryCodeHash(accountId: string, normalizedCode: string): string {
    return createHmac('sha256', this.recoveryKey).update(`${accountId}:${normalizedCode}`).digest('base64url');
  }
}
