import { Injectable } from '@nestjs/common';
import { ListRecentRevocationsReply, RECORDED_REVOCATION_SUBJECTS, revocationRetentionMs } from '@signoff/contracts';
import { OutboxMessage } from '@signoff/messaging';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';

/** Rows published up to this long after a stream's creation may predate it on the broker's clock. */
const CLOCK_SKEW_MS = 5_000;

/**
 * The outbox as auth-service's own record of what it published: every event is written there
 * in the transaction that caused it and kept well past the access-token lifetime, so it can
 * answer for the SECURITY stream when the stream lost its data.
 */
@Injectable()
export class OutboxRecord {
  private readonly retentionMs: number;

  constructor(
    private readonly dataSource: DataSource,
    config: AuthConfig,
  ) {
    this.retentionMs = revocationRetentionMs(config.ACCESS_TOKEN_TTL_SECONDS);
  }

  /** Revocation events written inside the retention window, oldest first, a page at a time. */
  async recentRevocations(afterId: string | undefined, limit: number): Promise<ListRecentRevocationsReply> {
    const query = this.dataSource
      .getRepository(OutboxMessage)
      .createQueryBuilder('o')
      .select(['o.id', 'o.subject', 'o.payload'])
      .where('o.subject IN (:...subjects)', { subjects: RECORDED_REVOCATION_SUBJECTS })
      .andWhere('o.createdAt > :since', { since: new Date(Date.now() - this.retentionMs) })
      .orderBy('o.id', 'ASC')
      .limit(limit);
    if (afterId) query.andWhere('o.id > :afterId', { afterId });
    const rows = await query.getMany();
    return {
      events: rows.map((row) => ({ subject: row.subject, payload: row.payload })),
      nextAfterId: rows.length === limit ? rows[rows.length - 1].id : undefined,
    };
  }

  /**
   * Marks for publishing again every event inside the retention window that was published
   * before the stream existed (and so is not in it). Returns how many; the relay sends them.
   * Re-sending one that the stream does hold is harmless: every consumer applies by id.
   */
  async republishPublishedBefore(streamCreated: Date): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(OutboxMessage)
      .set({ publishedAt: null })
      .where('publishedAt IS NOT NULL')
      .andWhere('publishedAt < :created', { created: new Date(streamCreated.getTime() + CLOCK_SKEW_MS) })
      .andWhere('createdAt > :since', { since: new Date(Date.now() - this.retentionMs) })
      .execute();
    return result.affected ?? 0;
  }
}
