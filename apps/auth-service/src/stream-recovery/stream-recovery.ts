import { Injectable, Logger } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { OutboxRelay, StreamReset, StreamWatch } from '@signoff/messaging';
import { StreamInfo } from 'nats';
import { OutboxRecord } from './outbox-record';

/**
 * Puts back into the SECURITY stream what it lost. At start, and whenever the stream watch sees
 * the stream recreated, every event of the retention window that was published before the
 * stream's creation is sent again through the outbox relay, so gateways and the registry find
 * every recent revocation in the stream once more.
 */
@Injectable()
export class StreamRecovery {
  private readonly logger = new Logger(StreamRecovery.name);

  constructor(
    private readonly record: OutboxRecord,
    private readonly relay: OutboxRelay,
    private readonly watch: StreamWatch,
  ) {}

  private checkedFirstLook = false;

  /** Call before the watch starts: repairs the stream as the first look finds it, and after every loss. */
  listen(): void {
    this.watch.onReset((reset: StreamReset) => (reset.definition.name === Stream.security.name ? this.repair(reset.info, 'recreated') : undefined));
    this.watch.onInfo(async (info) => {
      if (this.checkedFirstLook || info.config.name !== this.watch.info(Stream.security)?.config.name) return;
      await this.repair(info, 'found at start');
      this.checkedFirstLook = true;
    });
  }

  private async repair(info: StreamInfo, how: string): Promise<void> {
    const count = await this.record.republishPublishedBefore(new Date(info.created));
    if (count === 0) return;
    this.logger.warn(`stream ${info.config.name} (${how}, created ${info.created}) lacks ${count} recent event(s): publishing them again`);
    this.relay.kick();
  }
}
