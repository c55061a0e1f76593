import { Logger } from '@nestjs/common';
import { StreamDefinition } from '@signoff/contracts';
import { AckPolicy, ConsumerMessages, DeliverPolicy, JsMsg, NatsConnection, NatsError } from 'nats';
import { EventParking } from './event-parking';
import { decodeEvent, InboundEvent } from './inbound-event';
import { NatsNamespace } from './nats-namespace';

export interface DurableConsumerOptions {
  stream: StreamDefinition;
  /** Replicas of one service share this name and so share the work. */
  durableName: string;
  ackWaitMs?: number;
  /**
   * Wait before a failed message is offered again, by delivery: the n-th failure waits
   * `retryDelaysMs[n-1]` (the last entry for any later one). Default `REDELIVERY_BACKOFF_MS`.
   */
  retryDelaysMs?: readonly number[];
  /** After this many failed deliveries a message is parked (see `EventParking`). Default `MAX_DELIVERIES`. */
  maxDeliveries?: number;
}

/**
 * A failure that outlasts a broker, database or registry restart is retried for about twenty
 * minutes, then parked: a poison message never blocks its consumer and is never retried for ever.
 */
export const REDELIVERY_BACKOFF_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];
export const MAX_DELIVERIES = 10;

/** How events are grouped for a batch handler. */
export interface BatchOptions {
  /** At most this many messages per batch (at most the 256 the consumer keeps buffered). */
  maxMessages: number;
  /**
   * How long, from the first message of a batch, to wait for more that are not buffered yet.
   * Messages already buffered are taken without waiting; 0 takes only those.
   */
  maxWaitMs: number;
}

export type EventHandler = (event: InboundEvent) => Promise<void>;
export type BatchEventHandler = (events: InboundEvent[]) => Promise<void>;

/** Messages the client pulls ahead; a batch never holds more. */
const PULL_BUFFER = 256;

/**
 * A durable, explicitly acknowledged consumer that hands validated events to its handler in
 * stream order. A message is acknowledged only after the handler resolved; a throw redelivers
 * it later with a growing delay, and after `maxDeliveries` it is parked with its error; a
 * malformed one is parked at once (it would never parse). JetStream may redeliver even
 * acknowledged messages after a broker restart, so handlers must be idempotent.
 *
 * Per-message mode (no `batch` option): `handle(event)` once per message, one at a time.
 *
 * Batch mode (`batch` option): `handle(events)` with what is buffered already (up to
 * `maxMessages`, waiting at most `maxWaitMs` for more), in stream order; on success every
 * message of the batch is acknowledged, on a throw every one is redelivered after its backoff.
 * A redelivered message is always handled in a batch of its own, so one event
 * that keeps failing is retried alone and does not hold back the others.
 */
export class DurableEventConsumer {
  private readonly logger: Logger;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly handleOne?: EventHandler;
  private readonly handleBatch?: BatchEventHandler;
  private readonly parking: EventParking;

  constructor(nc: NatsConnection, namespace: NatsNamespace, options: DurableConsumerOptions & { batch?: undefined }, handle: EventHandler);
  constructor(nc: NatsConnection, namespace: NatsNamespace, options: DurableConsumerOptions & { batch: BatchOptions }, handle: BatchEventHandler);
  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly options: DurableConsumerOptions & { batch?: BatchOptions },
    handle: EventHandler | BatchEventHandler,
  ) {
    this.logger = new Logger(`DurableEventConsumer:${options.durableName}`);
    this.parking = new EventParking(nc, namespace, options.durableName);
    if (options.batch) {
      const { maxMessages, maxWaitMs } = options.batch;
      if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > PULL_BUFFER) {
        throw new Error(`batch.maxMessages must be an integer from 1 to ${PULL_BUFFER}, not ${maxMessages}`);
      }
      if (!(maxWaitMs >= 0)) throw new Error(`batch.maxWaitMs must be 0 or more, not ${maxWaitMs}`);
      this.handleBatch = handle as BatchEventHandler;
    } else {
      this.handleOne = handle as EventHandler;
    }
  }

  async start(): Promise<void> {
    const stream = this.namespace.streamName(this.options.stream);
    const jsm = await this.nc.jetstreamManager();
    const config = {
      durable_name: this.options.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: (this.options.ackWaitMs ?? 30_000) * 1_000_000,
      max_ack_pending: 1_000,
    };
    try {
      await jsm.consumers.add(stream, config);
    } catch (error) {
      // Exists with other settings (an older replica): bring it to ours.
      if (!(error instanceof NatsError)) throw error;
      await jsm.consumers.update(stream, this.options.durableName, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
    }
    const consumer = await this.nc.jetstream().consumers.get(stream, this.options.durableName);
    // Short pulls: a pull lost with a node (or a consumer leader change) is replaced within seconds,
    // not after the default 30 s expiry (the heartbeat check stops after a reconnect until a pull works).
    this.messages = await consumer.consume({ max_messages: PULL_BUFFER, expires: 5_000, idle_heartbeat: 1_000 });
    const messages = this.messages;
    const { batch } = this.options;
    const handleBatch = this.handleBatch;
    this.loop = (
      batch && handleBatch
        ? this.consumeBatches(messages, batch, handleBatch)
        : (async () => {
            for await (const message of messages) await this.process(message);
          })()
    ).catch((error: unknown) => this.logger.error(`consumer loop ended: ${(error as Error).message}`));
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop;
  }

  get name(): string {
    return this.options.durableName;
  }

  /** Whether the durable consumer still exists on the server (a lost stream takes it along). */
  async exists(): Promise<boolean> {
    const jsm = await this.nc.jetstreamManager();
    try {
      await jsm.consumers.info(this.namespace.streamName(this.options.stream), this.options.durableName);
      return true;
    } catch (error) {
      if (error instanceof NatsError && (error.api_error?.err_code === 10014 || error.api_error?.err_code === 10059)) return false;
      throw error;
    }
  }

  private async process(message: JsMsg): Promise<void> {
    const event = await this.decode(message);
    if (!event || !this.handleOne) return;
    try {
      await this.handleOne(event);
      message.ack();
    } catch (error) {
      await this.failed(message, `${event.subject} seq=${event.streamSequence}`, error as Error);
    }
  }

  /** A failed delivery: offered again after its backoff, or parked once the budget is spent. */
  private async failed(message: JsMsg, what: string, error: Error): Promise<void> {
    const deliveries = message.info.deliveryCount;
    if (deliveries >= (this.options.maxDeliveries ?? MAX_DELIVERIES)) {
      await this.parkOrRetry(message, `handler failed ${deliveries} times; last error: ${error.message}`);
      return;
    }
    const delays = this.options.retryDelaysMs ?? REDELIVERY_BACKOFF_MS;
    const delay = delays[Math.min(deliveries, delays.length) - 1] ?? 1_000;
    this.logger.warn(`retrying ${what} in ${delay} ms (delivery ${deliveries}): ${error.message}`);
    message.nak(delay);
  }

  /** Parks and terminates; if the park itself fails the message stays and comes back later. */
  private async parkOrRetry(message: JsMsg, reason: string): Promise<void> {
    try {
      await this.parking.park(message, reason);
      message.term();
    } catch (error) {
      this.logger.warn(`could not park seq=${message.info.streamSequence}, offering it again: ${(error as Error).message}`);
      message.nak(REDELIVERY_BACKOFF_MS[0]);
    }
  }

  /**
   * Takes the first message as it comes, then whatever else the iterator yields before the
   * batch's deadline: buffered messages resolve within the same tick, so with a short
   * `maxWaitMs` a lone message waits only that long. The pending `next()` of a batch that was
   * closed is kept for the following one, so no message is skipped or reordered.
   */
  private async consumeBatches(messages: ConsumerMessages, batch: BatchOptions, handle: BatchEventHandler): Promise<void> {
    const iterator = messages[Symbol.asyncIterator]();
    const pull = (): Promise<IteratorResult<JsMsg>> => {
      const result = iterator.next();
      // Awaited later (or never, once stopped): a failing iterator must not count as unhandled
      // meanwhile. The loop still sees the failure when it awaits this promise.
      result.catch(() => undefined);
      return result;
    };
    let next = pull();
    for (;;) {
      const first = await next;
      if (first.done) return;
      next = pull();
      const collected: JsMsg[] = [first.value];
      // A message offered again (a failed batch, an expired ack wait, a broker restart) goes alone.
      if (!first.value.info.redelivered) {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), batch.maxWaitMs)));
        try {
          while (collected.length < batch.maxMessages) {
            const more = await Promise.race([next, deadline]);
            if (more === 'deadline') break;
            if (more.done || more.value.info.redelivered) {
              // Not ours: the end of the iterator, or a message for a batch of its own.
              next = Promise.resolve(more);
              break;
            }
            collected.push(more.value);
            next = pull();
          }
        } finally {
          clearTimeout(timer);
        }
      }
      await this.processBatch(collected, handle);
    }
  }

  private async processBatch(messages: JsMsg[], handle: BatchEventHandler): Promise<void> {
    const valid: JsMsg[] = [];
    const events: InboundEvent[] = [];
    for (const message of messages) {
      const event = await this.decode(message);
      if (!event) continue;
      valid.push(message);
      events.push(event);
    }
    if (events.length === 0) return;
    try {
      await handle(events);
      for (const message of valid) message.ack();
    } catch (error) {
      // Each message is offered again alone (see consumeBatches), so a poison one is found and
      // parked by itself while the others go through.
      for (const [i, message] of valid.entries()) await this.failed(message, `${events[i].subject} seq=${events[i].streamSequence}`, error as Error);
    }
  }

  /** The validated event, or `undefined` for a malformed message (parked: it would never parse). */
  private async decode(message: JsMsg): Promise<InboundEvent | undefined> {
    try {
      return decodeEvent(message, this.namespace);
    } catch (error) {
      await this.parkOrRetry(message, `unreadable: ${(error as Error).message}`);
      return undefined;
    }
  }
}
