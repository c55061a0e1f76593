import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DrainLoop } from './drain-loop';
import { EventPublisher } from './event-publisher';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxRelayOptions {
  /** Safety-net poll for rows whose kick was lost (a crash, another replica's commit). */
  pollIntervalMs: number;
  batchSize: number;
  /** Test seam: runs after publishing a batch and before marking it (crash simulation). */
  beforeMark?: (eventIds: string[]) => Promise<void> | void;
}

/**
 * Moves outbox rows to JetStream in commit order. Rows are claimed with `FOR UPDATE SKIP
 * LOCKED`, so replicas share the work; a row is marked only after JetStream acknowledged it,
 * so a crash republishes (and the stream drops the duplicate by `Nats-Msg-Id`). A broker outage
 * leaves rows waiting: delayed, never dropped.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop: DrainLoop;
  private consecutiveFailures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
  ) {
    this.loop = new DrainLoop(() => this.drain(), options.pollIntervalMs);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Ask for a drain now (after a commit). Coalesces: at most one drain runs at a time. */
  kick(): void {
    this.loop.kick();
  }

  /** Resolves once the drain in progress has finished (for shutdown and tests). */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.loop.isStopped) break;
        const { relayed, failure } = await this.relayBatch();
        if (failure) throw failure;
        if (relayed < this.options.batchSize) break;
      }
      this.consecutiveFailures = 0;
    } catch (error) {
      this.consecutiveFailures++;
      // Logged once per outage rather than once per poll.
      if (this.consecutiveFailures === 1 || this.consecutiveFailures % 100 === 0) {
        this.logger.warn(`outbox relay waiting (${this.consecutiveFailures} failed attempts): ${(error as Error).message}`);
      }
    }
  }

  private relayBatch(): Promise<{ relayed: number; failure?: Error }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<Pick<OutboxMessage, 'id' | 'eventId' | 'subject' | 'payload'>> = await manager
        .getRepository(OutboxMessage)
        .createQueryBuilder('o')
        .select(['o.id', 'o.eventId', 'o.subject', 'o.payload'])
        .where('o.publishedAt IS NULL')
        .orderBy('o.id', 'ASC')
        .limit(this.options.batchSize)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return { relayed: 0 };
      // Sent back to back on one connection, so the stream stores them in commit order.
      const results = await Promise.allSettled(
        rows.map((row) => this.publisher.publishRaw(row.subject, row.payload as { eventId: string; revocationId?: string })),
      );
      const firstFailure = results.findIndex((r) => r.status === 'rejected');
      const published = firstFailure === -1 ? rows : rows.slice(0, firstFailure);
      await this.options.beforeMark?.(published.map((r) => r.eventId));
      if (published.length > 0) {
        await manager.getRepository(OutboxMessage).update(
          published.map((r) => r.id),
          { publishedAt: () => 'now()', attempts: () => 'attempts + 1' },
        );
      }
      if (firstFailure !== -1) {
        const reason = (results[firstFailure] as PromiseRejectedResult).reason as Error;
        await manager
          .getRepository(OutboxMessage)
          .update(rows.slice(firstFailure).map((r) => r.id), { attempts: () => 'attempts + 1', lastError: reason.message.slice(0, 500) });
        return { relayed: published.length, failure: reason };
      }
      return { relayed: rows.length };
    });
  }
}
