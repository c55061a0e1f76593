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

/**
 * A durable, explicitly acknowledged consumer that hands validated events to `handle` one at a
 * time, in stream order. A message is acknowledged only after `handle` resolved; a throw
 * redelivers it later; a malformed one is logged and terminated (it would never parse).
 * JetStream may redeliver even acknowledged messages after a broker restart, so `handle` must
 * be idempotent.
 */
export class DurableEventConsumer {
  private readonly logger: Logger;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly options: DurableConsumerOptions,
    private readonly handle: (event: InboundEvent) => Promise<void>,
  ) {
    this.logger = new Logger(`DurableEventConsumer:${options.durableName}`);
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
    this.messages = await consumer.consume({ max_messages: 256 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const message of messages) await this.process(message);
    })().catch((error: unknown) => this.logger.error(`consumer loop ended: ${(error as Error).message}`));
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop;
  }

  private async process(message: JsMsg): Promise<void> {
    let event: InboundEvent;
    try {
      event = decodeEvent(message, this.namespace);
    } catch (error) {
      this.logger.error(`dropping malformed message seq=${message.info.streamSequence} on ${message.subject}: ${(error as Error).message}`);
      message.term();
      return;
    }
    try {
      await this.handle(event);
      message.ack();
    } catch (error) {
      this.logger.warn(`retrying ${event.subject} seq=${event.streamSequence}: ${(error as Error).message}`);
      message.nak(this.options.retryDelayMs ?? 1_000);
    }
  }
}
