import { Injectable } from '@nestjs/common';
import { AuthConfig } from '../config/auth.config';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { AccessTokenSubject, mintAccessToken } from './access-token';

/** Mints access tokens with the active signing key and the configured lifetime. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AuthConfig,
  ) {}

  async issue(subject: AccessTokenSubject): Promise<{ accessToken: string; expiresIn: number }> {
    const key = await this.keys.activeKey();
    const ttl = this.config.ACCESS_TOKEN_TTL_SECONDS;
    return { accessToken: await mintAccessToken(key, subject, ttl), expiresIn: ttl };
  }
}
