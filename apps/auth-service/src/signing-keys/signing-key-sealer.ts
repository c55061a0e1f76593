import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { AuthConfig } from '../config/auth.config';
import { keyOf } from '../crypto/key-setting';
import { SealedBox } from '../crypto/sealed-box';
import { SigningKey } from './signing-key.entity';

/** Seals the private half of a signing key under `SIGNING_KEY_ENCRYPTION_KEY`, bound to its kid. */
@Injectable()
export class SigningKeySealer {
  private readonly box: SealedBox;

  constructor(config: AuthConfig) {
    this.box = new SealedBox(keyOf('SIGNING_KEY_ENCRYPTION_KEY', config.SIGNING_KEY_ENCRYPTION_KEY));
  }

  seal(kid: string, privateJwk: JWK): string {
    return this.box.seal(JSON.stringify(privateJwk), kid);
  }

  /** The private half of a stored key; throws when it was sealed under another key or for another kid. */
  privateJwk(row: Pick<SigningKey, 'kid' | 'privateJwk' | 'sealedPrivateKey'>): JWK {
    if (row.sealedPrivateKey) return JSON.parse(this.box.open(row.sealedPrivateKey, row.kid)) as JWK;
    if (row.privateJwk) return row.privateJwk;
    throw new Error(`signing key ${row.kid} has no private half`);
  }
}
