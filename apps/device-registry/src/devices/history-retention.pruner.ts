import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RegistryConfig } from '../config/registry.config';
import { DeviceHistoryRepository } from './device-history.repository';

const PRUNE_EVERY_MS = 60 * 60_000;
/** Rows per DELETE: short statements, so pruning never holds locks the event handler waits on. */
const BATCH = 5_000;

/** Deletes device history older than `HISTORY_RETENTION_DAYS`, hourly, on every replica (idempotent). */
@Injectable()
export class HistoryRetentionPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HistoryRetentionPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly history: DeviceHistoryRepository,
    private readonly config: RegistryConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneNow(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes everything past retention, batch by batch; how many entries went. */
  async pruneNow(now = Date.now()): Promise<number> {
    const before = new Date(now - this.config.HISTORY_RETENTION_DAYS * 86_400_000);
    let removed = 0;
    try {
      for (;;) {
        const batch = await this.history.prune(before, BATCH);
        removed += batch;
        if (batch < BATCH) break;
      }
      if (removed > 0) this.logger.log(`deleted ${removed} history entries older than ${before.toISOString()}`);
    } catch (error) {
      this.logger.warn(`pruning device history failed (the next run retries): ${(error as Error).message}`);
    }
    return removed;
  }
}
