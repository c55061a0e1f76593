import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RepeatingTask } from '@signoff/service-kit';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';

/** Rows deleted per statement: short transactions, no long lock on the table. */
const BATCH = 5_000;

/**
 * Deletes outbox rows published more than `OUTBOX_RETENTION_SECONDS` after they were written
 * (a day by default; never less than the revocation retention, whose rows stream recovery
 * reads). A row not yet published is never deleted, however old: its event has not left.
 * Runs on every replica every `OUTBOX_PRUNE_INTERVAL_SECONDS`; replicas pruning together
 * delete each row once.
 */
@Injectable()
export class OutboxPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxPruner.name);
  private readonly task = new RepeatingTask('outbox pruning', () => this.config.OUTBOX_PRUNE_INTERVAL_SECONDS * 1000, () => this.prune(), this.logger);

  constructor(
    private readonly config: AuthConfig,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** Deletes every published row past retention, batch by batch; how many went. */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.OUTBOX_RETENTION_SECONDS * 1000);
    let removed = 0;
    for (;;) {
      // The outer conditions are checked again on each row as it is deleted, so a row that a
      // stream recovery marked for republishing meanwhile stays.
      const [, count] = (await this.dataSource.query(
        `DELETE FROM auth.outbox WHERE id IN (
           SELECT id FROM auth.outbox WHERE created_at < $1 AND published_at IS NOT NULL ORDER BY created_at LIMIT $2
         ) AND created_at < $1 AND published_at IS NOT NULL`,
        [before, BATCH],
      )) as [unknown, number];
      removed += count;
      if (count < BATCH) break;
    }
    if (removed > 0) this.logger.log(`deleted ${removed} published outbox rows written before ${before.toISOString()}`);
    return removed;
  }
}
