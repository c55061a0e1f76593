import { Logger } from '@nestjs/common';
import { StreamDefinition } from '@signoff/contracts';
import { Consumer, ConsumerMessages, JsMsg, NatsConnection, OrderedConsumerOptions } from 'nats';
import { EventParking } from './event-parking';
import { decodeEvent, InboundEvent } from './inbound-event';
import { NatsNamespace } from './nats-namespace';

export interface StreamFollowerOptions {
  stream: StreamDefinition;
  /** Bare filter subject, e.g. `security.>` (one subject: arrays hang on server 2.9). */
  filterSubject: string;
  /** Names the consumer kind for parked messages (the same for every replica). */
  consumerName: string;
  /** An abandoned follower's consumer is removed by the server after this long. */
  inactiveThresholdMs?: number;
}

/** Where a (re)opened follower starts: a point in time, or a stream sequence. */
export type FollowFrom = { time: Date } | { sequence: number };

interface Generation {
  messages: ConsumerMessages;
  consumer: Consumer;
  loop: Promise<void>;
}

/**
 * Follows a stream with an ordered consumer (one per process: every replica sees every
 * message, in order). `caughtUp()` resolves once everything stored when it (re)opened has been
 * handled. `reopen` starts over from a time or a sequence: after the stream was recreated, or
 * when it stopped delivering while the stream grew. A message that cannot be read is parked
 * (see `EventParking`), never skipped without a trace.
 */
export class StreamFollower {
  private readonly logger = new Logger(StreamFollower.name);
  private readonly parking: EventParking;
  private current?: Generation;
  private generationId = 0;
  private lastSequence = 0;
  private isCaughtUp = false;
  private caughtUpSignal = signal();

  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly options: StreamFollowerOptions,
    private readonly handle: (event: InboundEvent) => void,
  ) {
    this.parking = new EventParking(nc, namespace, options.consumerName);
  }

  get hasCaughtUp(): boolean {
    return this.isCaughtUp;
  }

  /** Resolves once the current generation has handled everything stored when it opened. */
  caughtUp(): Promise<void> {
    return this.caughtUpSignal.promise;
  }

  /** Stream sequence of the last message handled (0 before the first). */
  get position(): number {
    return this.lastSequence;
  }

  start(from: FollowFrom): Promise<void> {
    return this.reopen(from);
  }

  /** Drops the current consumer and follows again from `from`; not caught up until it is. */
  async reopen(from: FollowFrom): Promise<void> {
    const id = ++this.generationId;
    this.isCaughtUp = false;
    const previousSignal = this.caughtUpSignal;
    this.caughtUpSignal = signal();
    // Whoever waited on the old generation now waits on this one.
    void this.caughtUpSignal.promise.then(previousSignal.resolve);
    await this.close();
    if (id !== this.generationId) return;
    const stream = this.namespace.streamName(this.options.stream);
    const start: Partial<OrderedConsumerOptions> = 'time' in from ? { opt_start_time: from.time.toISOString() } : { opt_start_seq: Math.max(1, from.sequence) };
    const consumer = await this.nc.jetstream().consumers.get(stream, {
      filterSubjects: this.namespace.subject(this.options.filterSubject),
      inactive_threshold: this.options.inactiveThresholdMs ?? 30_000,
      ...start,
    });
    // When nothing is stored, no message ever says "pending 0": ask before consuming.
    const info = await consumer.info();
    if (id !== this.generationId) return;
    this.lastSequence = 'sequence' in from ? Math.max(0, from.sequence - 1) : 0;
    if (info.num_pending === 0) this.setCaughtUp(id);
    const messages = await consumer.consume({ max_messages: 1_000 });
    const loop = (async () => {
      for await (const message of messages) {
        if (id !== this.generationId) break;
        this.lastSequence = message.info.streamSequence;
        await this.dispatch(message);
        if (message.info.pending === 0) this.setCaughtUp(id);
      }
    })().catch((error: unknown) => this.logger.error(`follower loop ended: ${(error as Error).message}`));
    this.current = { messages, consumer, loop };
  }

  /** Whether every message stored in the stream right now has been handled. */
  async syncedWithStream(): Promise<boolean> {
    const consumer = this.current?.consumer;
    if (!consumer) return false;
    const info = await consumer.info(false);
    return info.num_pending === 0 && info.delivered.stream_seq <= this.lastSequence;
  }

  async stop(): Promise<void> {
    this.generationId++;
    await this.close();
  }

  private async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.messages.stop();
    await current.loop;
  }

  private async dispatch(message: JsMsg): Promise<void> {
    let event: InboundEvent;
    try {
      event = decodeEvent(message, this.namespace);
    } catch (error) {
      return this.park(message, `unreadable: ${(error as Error).message}`);
    }
    try {
      this.handle(event);
    } catch (error) {
      return this.park(message, `handler failed: ${(error as Error).message}`);
    }
  }

  /** An ordered consumer cannot offer a message again: it goes to an operator instead. */
  private async park(message: JsMsg, reason: string): Promise<void> {
    await this.parking.park(message, reason).catch((error: unknown) => {
      this.logger.error(`could not park seq=${message.info.streamSequence} (${reason}): ${(error as Error).message}`);
    });
  }

  private setCaughtUp(id: number): void {
    if (id !== this.generationId || this.isCaughtUp) return;
    this.isCaughtUp = true;
    this.caughtUpSignal.resolve();
  }
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
