import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RegistryConfig } from '../config/registry.config';
import { ProcessedEvents } from './processed-events';

const PRUNE_EVERY_MS = 10 * 60_000;
/** Kept a while past the streams' max age, for clock skew between the broker and Postgres. */
const MARGIN_MS = 60 * 60_000;

/** Keeps `processed_events` to what the broker could still redeliver. */
@Injectable()
export class ProcessedEventsPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProcessedEventsPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly processed: ProcessedEvents,
    private readonly config: RegistryConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneNow(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async pruneNow(now = Date.now()): Promise<number> {
    try {
      const removed = await this.processed.prune(new Date(now - this.config.SECURITY_STREAM_MAX_AGE_SECONDS * 1_000 - MARGIN_MS));
      if (removed > 0) this.logger.log(`forgot ${removed} processed event id(s) the broker can no longer redeliver`);
      return removed;
    } catch (error) {
      this.logger.warn(`pruning processed events failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
