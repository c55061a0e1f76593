import { Logger } from '@nestjs/common';
import { StreamDefinition } from '@signoff/contracts';
import { Consumer, ConsumerMessages, NatsConnection } from 'nats';
import { decodeEvent, InboundEvent } from './inbound-event';
import { NatsNamespace } from './nats-namespace';

export interface StreamFollowerOptions {
  stream: StreamDefinition;
  /** Bare filter subject, e.g. `security.>` (one subject: arrays hang on server 2.9). */
  filterSubject: string;
  /** Replay starts here: older messages concern tokens that have expired anyway. */
  startTime: Date;
  /** An abandoned follower's consumer is removed by the server after this long. */
  inactiveThresholdMs?: number;
}

/**
 * Follows a stream from a point in time with an ordered consumer (one per process: every
 * replica sees every message, in order, and the client recreates the consumer after a broker
 * restart). `caughtUp` resolves once everything stored when it started has been handled.
 */
export class StreamFollower {
  private readonly logger = new Logger(StreamFollower.name);
  private messages?: ConsumerMessages;
  private consumer?: Consumer;
  private loop?: Promise<void>;
  private markCaughtUp!: () => void;
  private lastSequence = 0;
  readonly caughtUp: Promise<void>;
  private isCaughtUp = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly options: StreamFollowerOptions,
    private readonly handle: (event: InboundEvent) => void,
  ) {
    this.caughtUp = new Promise((resolve) => (this.markCaughtUp = resolve));
  }

  get hasCaughtUp(): boolean {
    return this.isCaughtUp;
  }

  /** Stream sequence of the last message handled (0 before the first). */
  get position(): number {
    return this.lastSequence;
  }

  async start(): Promise<void> {
    const stream = this.namespace.streamName(this.options.stream);
    const consumer = (this.consumer = await this.nc.jetstream().consumers.get(stream, {
      filterSubjects: this.namespace.subject(this.options.filterSubject),
      opt_start_time: this.options.startTime.toISOString(),
      inactive_threshold: this.options.inactiveThresholdMs ?? 30_000,
    }));
    // When nothing is stored, no message ever says "pending 0": ask before consuming.
    const info = await consumer.info();
    if (info.num_pending === 0) this.setCaughtUp();
    this.messages = await consumer.consume({ max_messages: 1_000 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const message of messages) {
        this.lastSequence = message.info.streamSequence;
        try {
          this.handle(decodeEvent(message, this.namespace));
        } catch (error) {
          this.logger.error(`ignoring malformed message seq=${message.info.streamSequence}: ${(error as Error).message}`);
        }
        if (!this.isCaughtUp && message.info.pending === 0) this.setCaughtUp();
      }
    })().catch((error: unknown) => this.logger.error(`follower loop ended: ${(error as Error).message}`));
  }

  /** Resolves when every message stored in the stream right now has been handled. */
  async syncedWithStream(): Promise<boolean> {
    if (!this.consumer) return false;
    const info = await this.consumer.info(false);
    return info.num_pending === 0 && info.delivered.stream_seq <= this.lastSequence;
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop;
  }

  private setCaughtUp(): void {
    this.isCaughtUp = true;
    this.markCaughtUp();
  }
}
