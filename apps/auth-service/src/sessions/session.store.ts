import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@signoff/persistence';
import { SelectQueryBuilder } from 'typeorm';
import { Session } from './session.entity';
import { sessionRevokedError, unknownSessionError } from './session-errors';

/**
 * Reads and locks session rows. Every `lock*` takes the row `FOR UPDATE` and so needs a
 * transaction (TypeORM refuses a pessimistic lock outside one). Lock order across the service:
 * account row first, then session rows by id; refresh and single-session revokes lock one
 * session and never an account, so no cycle can form.
 */
@Injectable()
export class SessionStore {
  constructor(private readonly tx: TransactionContext) {}

  findOwned(accountId: string, sessionId: string): Promise<Session | null> {
    return this.owned(accountId, sessionId).getOne();
  }

  lockOwned(accountId: string, sessionId: string): Promise<Session | null> {
    return this.owned(accountId, sessionId).setLock('pessimistic_write').getOne();
  }

  lockById(sessionId: string): Promise<Session | null> {
    return this.query().where('s.id = :sessionId', { sessionId }).setLock('pessimistic_write').getOne();
  }

  /** The device's session that is not revoked (at most one: a unique partial index says so). */
  lockLiveOnDevice(accountId: string, deviceId: string): Promise<Session | null> {
    return this.query()
      .where('s.accountId = :accountId AND s.deviceId = :deviceId AND s.revokedAt IS NULL', { accountId, deviceId })
      .setLock('pessimistic_write')
      .getOne();
  }

  /**
   * Revokes every live session of the account (optionally but one) in one statement and returns
   * them. Callers hold the account row lock, so two such updates never interleave. A row's
   * `revoked_at` is the clock when the row was updated, i.e. after any refresh holding its lock
   * has committed: a rotation serialised before the revoke is never stamped after it.
   */
  async revokeLiveOfAccount(
    accountId: string,
    revocation: { id: string; reason: Session['revokeReason'] },
    exceptSessionId?: string,
  ): Promise<Array<Pick<Session, 'id' | 'deviceId' | 'revokedAt'>>> {
    const query = this.tx
      .repo(Session)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'clock_timestamp()', revocationId: revocation.id, revokeReason: revocation.reason })
      .where('account_id = :accountId AND revoked_at IS NULL', { accountId });
    if (exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId });
    const result = await query.returning('"id", "device_id", "revoked_at"').execute();
    return (result.raw as Array<{ id: string; device_id: string; revoked_at: Date }>).map((row) => ({
      id: row.id,
      deviceId: row.device_id,
      revokedAt: row.revoked_at,
    }));
  }

  /** The caller's own session, which must exist and not be revoked. */
  async requireLive(accountId: string, sessionId: string, options: { lock: boolean }): Promise<Session> {
    const session = options.lock ? await this.lockOwned(accountId, sessionId) : await this.findOwned(accountId, sessionId);
    if (!session) throw unknownSessionError();
    if (session.revokedAt) throw sessionRevokedError(session);
    return session;
  }

  async insert(session: Session): Promise<void> {
    await this.tx.repo(Session).insert(session);
  }

  async markRevoked(sessionIds: string[], revocation: { id: string; reason: Session['revokeReason']; at: Date }): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.tx
      .repo(Session)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: revocation.at, revocationId: revocation.id, revokeReason: revocation.reason })
      .where('id IN (:...sessionIds) AND revoked_at IS NULL', { sessionIds })
      .execute();
  }

  async touch(sessionId: string, usedAt: Date, idleExpiresAt: Date): Promise<void> {
    await this.tx.repo(Session).update({ id: sessionId }, { lastUsedAt: usedAt, idleExpiresAt });
  }

  /** Accounts that have live sessions past their idle or absolute end (oldest first). */
  async accountsWithExpiredSessions(now: Date, limit: number): Promise<string[]> {
    const rows = (await this.tx.manager.query(
      `SELECT account_id FROM auth.sessions
        WHERE revoked_at IS NULL AND (absolute_expires_at <= $1 OR idle_expires_at <= $1)
        GROUP BY account_id ORDER BY min(least(absolute_expires_at, idle_expires_at)) LIMIT $2`,
      [now, limit],
    )) as Array<{ account_id: string }>;
    return rows.map((r) => r.account_id);
  }

  /** Locks the account's live sessions that are past their idle or absolute end. */
  lockExpiredLive(accountId: string, now: Date): Promise<Session[]> {
    return this.query()
      .where('s.accountId = :accountId AND s.revokedAt IS NULL AND (s.absoluteExpiresAt <= :now OR s.idleExpiresAt <= :now)', { accountId, now })
      .orderBy('s.id')
      .setLock('pessimistic_write')
      .getMany();
  }

  private owned(accountId: string, sessionId: string): SelectQueryBuilder<Session> {
    return this.query().where('s.id = :sessionId AND s.accountId = :accountId', { sessionId, accountId });
  }

  private query(): SelectQueryBuilder<Session> {
    return this.tx.repo(Session).createQueryBuilder('s');
  }
}
