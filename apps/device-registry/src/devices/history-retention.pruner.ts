import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RepeatingTask } from '@signoff/service-kit';
import { RegistryConfig } from '../config/registry.config';
import { DeviceHistoryRepository } from './device-history.repository';

const PRUNE_EVERY_MS = 60 * 60_000;
/** Rows per DELETE: short statements, so pruning never holds locks the event handler waits on. */
const BATCH = 5_000;

/** Deletes device history older than `HISTORY_RETENTION_DAYS`, hourly, on every replica (idempotent). */
@Injectable()
export class HistoryRetentionPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HistoryRetentionPruner.name);
  private readonly task = new RepeatingTask('pruning device history', () => PRUNE_EVERY_MS, () => this.pruneNow(), this.logger);

  constructor(
    private readonly history: DeviceHistoryRepository,
    private readonly config: RegistryConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** Deletes everything past retention, batch by batch; how many entries went. */
  async pruneNow(now = Date.now()): Promise<number> {
    const before = new Date(now - this.config.HISTORY_RETENTION_DAYS * 86_400_000);
    let removed = 0;
    for (;;) {
      const batch = await this.history.prune(before, BATCH);
      removed += batch;
      if (batch < BATCH) break;
    }
    if (removed > 0) this.logger.log(`deleted ${removed} history entries older than ${before.toISOString()}`);
    return removed;
  }
}
