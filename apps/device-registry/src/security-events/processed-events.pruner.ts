import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { RepeatingTask } from '@signoff/service-kit';
import { ProcessedEvents } from './processed-events';

const PRUNE_EVERY_MS = 10 * 60_000;
/** Kept a while past the streams' max age, for clock skew between the broker and Postgres. */
const MARGIN_MS = 60 * 60_000;
/** The longest a message the registry consumes can stay in its stream. */
const LONGEST_MAX_AGE_MS = Math.max(Stream.security.maxAgeSeconds, Stream.progress.maxAgeSeconds) * 1_000;

/** Keeps `processed_events` to what the broker could still redeliver. */
@Injectable()
export class ProcessedEventsPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProcessedEventsPruner.name);
  private readonly task = new RepeatingTask('pruning processed events', () => PRUNE_EVERY_MS, () => this.pruneNow(), this.logger);

  constructor(private readonly processed: ProcessedEvents) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  async pruneNow(now = Date.now()): Promise<number> {
    const removed = await this.processed.prune(new Date(now - LONGEST_MAX_AGE_MS - MARGIN_MS));
    if (removed > 0) this.logger.log(`forgot ${removed} processed event id(s) the broker can no longer redeliver`);
    return removed;
  }
}
