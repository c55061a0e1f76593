import { Logger } from '@nestjs/common';
import { ParkedHeader, Stream } from '@signoff/contracts';
import { headers as natsHeaders, JsMsg, NatsConnection } from 'nats';
import { Counter, register } from 'prom-client';
import { NatsNamespace } from './nats-namespace';

const PARKED_TOTAL = 'signoff_events_parked_total';

function parkedCounter(): Counter<'consumer' | 'subject'> {
  const existing = register.getSingleMetric(PARKED_TOTAL) as Counter<'consumer' | 'subject'> | undefined;
  return (
    existing ??
    new Counter({
      name: PARKED_TOTAL,
      help: 'Events a consumer could not read or apply, parked on the PARKED stream (alert on any increase)',
      labelNames: ['consumer', 'subject'],
    })
  );
}

/**
 * Where an event goes when a consumer cannot use it: the PARKED stream, with where it came
 * from and why, so an operator can read it, fix the cause and publish it again. Nothing is
 * skipped silently: every parked event is logged and counted (`signoff_events_parked_total`).
 */
export class EventParking {
  private readonly logger = new Logger(EventParking.name);
  private readonly counter = parkedCounter();

  /** @param consumer names the consumer kind (not the replica): replicas parking one message store it once. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly consumer: string,
  ) {}

  /** Stores the message with the reason; throws when JetStream does not take it. */
  async park(message: JsMsg, reason: string): Promise<void> {
    const subject = this.namespace.bare(message.subject);
    this.counter.inc({ consumer: this.consumer, subject });
    this.logger.error(`parking ${subject} ${message.info.stream}#${message.info.streamSequence} (consumer ${this.consumer}, delivery ${message.info.deliveryCount}): ${reason}`);
    const h = natsHeaders();
    h.set(ParkedHeader.subject, subject);
    h.set(ParkedHeader.stream, message.info.stream);
    h.set(ParkedHeader.streamSequence, String(message.info.streamSequence));
    h.set(ParkedHeader.consumer, this.consumer);
    h.set(ParkedHeader.reason, reason.slice(0, 1_000));
    h.set(ParkedHeader.deliveries, String(message.info.deliveryCount));
    await this.nc.jetstream().publish(this.namespace.subject(`parked.${subject}`), message.data, {
      headers: h,
      msgID: `${message.info.stream}:${message.info.streamSequence}:${this.consumer}`,
      expect: { streamName: this.namespace.streamName(Stream.parked) },
      timeout: 2_000,
    });
  }
}
