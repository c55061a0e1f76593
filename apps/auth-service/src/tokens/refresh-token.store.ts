import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@signoff/persistence';
import { IsNull } from 'typeorm';
import { hashOpaqueToken, newOpaqueToken, REFRESH_TOKEN_PREFIX } from './opaque-token';
import { RefreshToken } from './refresh-token.entity';

/** Refresh tokens of sessions; only their hashes are ever stored or looked up. */
@Injectable()
export class RefreshTokenStore {
  constructor(private readonly tx: TransactionContext) {}

  /** Creates a token for the session and returns it: the only time it exists in clear. */
  async issue(sessionId: string, at: Date): Promise<string> {
    const token = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    await this.tx.repo(RefreshToken).insert({ id: randomUUID(), sessionId, tokenHash: hashOpaqueToken(token), createdAt: at, supersededAt: null });
    return token;
  }

  findByToken(token: string): Promise<RefreshToken | null> {
    return this.tx.repo(RefreshToken).findOneBy({ tokenHash: hashOpaqueToken(token) });
  }

  async supersede(tokenId: string, at: Date): Promise<void> {
    await this.tx.repo(RefreshToken).update({ id: tokenId, supersededAt: IsNull() }, { supersededAt: at });
  }
}
