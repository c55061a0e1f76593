import { Logger } from '@nestjs/common';
import { StreamDefinition } from '@signoff/contracts';
import { AckPolicy, ConsumerMessages, DeliverPolicy, JsMsg, NatsConnection, NatsError } from 'nats';
import { decodeEvent, InboundEvent } from './inbound-event';
import { NatsNamespace } from './nats-namespace';

export interface DurableConsumerOptions {
  stream: StreamDefinition;
  /** Replicas of one service share this name and so share the work. */
  durableName: string;
  ackWaitMs?: number;
  /** Wait before a failed message is offered again. */
  retryDelayMs?: number;
}

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
 * it later; a malformed one is logged and terminated (it would never parse). JetStream may
 * redeliver even acknowledged messages after a broker restart, so handlers must be idempotent.
 *
 * Per-message mode (no `batch` option): `handle(event)` once per message, one at a time.
 *
 * Batch mode (`batch` option): `handle(events)` with what is buffered already (up to
 * `maxMessages`, waiting at most `maxWaitMs` for more), in stream order; on success every
 * message of the batch is acknowledged, on a throw every one is redelivered after
 * `retryDelayMs`. A redelivered message is always handled in a batch of its own, so one event
 * that keeps failing is retried alone and does not hold back the others.
 */
export class DurableEventConsumer {
  private readonly logger: Logger;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly handleOne?: EventHandler;
  private readonly handleBatch?: BatchEventHandler;

  constructor(nc: NatsConnection, namespace: NatsNamespace, options: DurableConsumerOptions & { batch?: undefined }, handle: EventHandler);
  constructor(nc: NatsConnection, namespace: NatsNamespace, options: DurableConsumerOptions & { batch: BatchOptions }, handle: BatchEventHandler);
  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly options: DurableConsumerOptions & { batch?: BatchOptions },
    handle: EventHandler | BatchEventHandler,
  ) {
    this.logger = new Logger(`DurableEventConsumer:${options.durableName}`);
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
    this.messages = await consumer.consume({ max_messages: PULL_BUFFER });
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

  private async process(message: JsMsg): Promise<void> {
    const event = this.decode(message);
    if (!event || !this.handleOne) return;
    try {
      await this.handleOne(event);
      message.ack();
    } catch (error) {
      this.logger.warn(`retrying ${event.subject} seq=${event.streamSequence}: ${(error as Error).message}`);
      message.nak(this.options.retryDelayMs ?? 1_000);
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
      const event = this.decode(message);
      if (!event) continue;
      valid.push(message);
      events.push(event);
    }
    if (events.length === 0) return;
    try {
      await handle(events);
      for (const message of valid) message.ack();
    } catch (error) {
      const range = events.length === 1 ? `seq=${events[0].streamSequence}` : `${events.length} events seq=${events[0].streamSequence}..${events[events.length - 1].streamSequence}`;
      this.logger.warn(`retrying ${range}: ${(error as Error).message}`);
      const delay = this.options.retryDelayMs ?? 1_000;
      for (const message of valid) message.nak(delay);
    }
  }

  /** The validated event, or `undefined` for a malformed message (terminated: it would never parse). */
  private decode(message: JsMsg): InboundEvent | undefined {
    try {
      return decodeEvent(message, this.namespace);
    } catch (error) {
      this.logger.error(`dropping malformed message seq=${message.info.streamSequence} on ${message.subject}: ${(error as Error).message}`);
      message.term();
      return undefined;
    }
  }
}
