import { createHmac, hkdfSync } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AuthConfig } from '../config/auth.config';
import { keyOf } from '../crypto/key-setting';
import { SealedBox } from '../crypto/sealed-box';

/**
 * The cryptography of two-factor sign-in at rest. Two keys are derived (HKDF-SHA-256) from the
 * one application key (`TOTP_SECRET_KEY`): one encrypts TOTP secrets with AES-256-GCM, bound to
 * their account as associated data (a sealed secret copied to another row does not open); the
 * other keys the HMAC-SHA-256 of recovery codes, so the stored hashes cannot be brute-forced
 * offline without it.
 */
export class TwoFactorCrypto {
  private readonly box: SealedBox;
  private readonly recoveryKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the two-factor key must be 32 bytes');
    this.box = new SealedBox(Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'signoff totp secret v1', 32)));
    this.recoveryKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'signoff recovery code v1', 32));
  }

  static fromConfig(config: Pick<AuthConfig, 'TOTP_SECRET_KEY'>, logger: Pick<Logger, 'warn'> = new Logger(TwoFactorCrypto.name)): TwoFactorCrypto {
    return new TwoFactorCrypto(keyOf('TOTP_SECRET_KEY', config.TOTP_SECRET_KEY, logger));
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url). */
  seal(plaintext: string, accountId: string): string {
    return this.box.seal(plaintext, accountId);
  }

  /** Throws when the value was not sealed for this account with this key. */
  open(sealed: string, accountId: string): string {
    return this.box.open(sealed, accountId);
  }

  /** The stored form of a (normalised) recovery code of one account. */
  recoveryCodeHash(accountId: string, normalizedCode: string): string {
    return createHmac('sha256', this.recoveryKey).update(`${accountId}:${normalizedCode}`).digest('base64url');
  }
}
