import { Injectable } from '@nestjs/common';
import { AuthConfig } from '../config/auth.config';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { AccessTokenSubject, mintAccessToken } from './access-token';

/**
 * Mints access tokens with the active signing key and the configured lifetime, cut short so a
 * token never outlives its session (a time-limited sign-in of one hour ends at that hour).
 */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AuthConfig,
  ) {}

  async issue(subject: AccessTokenSubject, sessionEndsAt: Date, now = new Date()): Promise<{ accessToken: string; expiresIn: number }> {
    const key = await this.keys.activeKey();
    const ttl = Math.max(1, Math.min(this.config.ACCESS_TOKEN_TTL_SECONDS, Math.floor((sessionEndsAt.getTime() - now.getTime()) / 1000)));
    return { accessToken: await mintAccessToken(key, subject, ttl, now), expiresIn: ttl };
  }
}
