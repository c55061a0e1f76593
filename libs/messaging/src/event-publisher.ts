import { EventHeader, EventMap } from '@signoff/contracts';
import { headers as natsHeaders, JetStreamClient, PubAck } from 'nats';
import { NatsNamespace } from './nats-namespace';

/**
 * Typed JetStream publish. Each message carries its `eventId` as `Nats-Msg-Id`, so a second
 * publish of the same event (a relay that crashed before marking it) is dropped by the stream.
 */
export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly namespace: NatsNamespace,
    private readonly timeoutMs = 2_000,
  ) {}

  publish<K extends keyof EventMap>(subject: K, payload: EventMap[K]): Promise<PubAck> {
    return this.publishRaw(subject, payload as unknown as { eventId: string; revocationId?: string });
  }

  /** For relays that hold a stored subject and payload rather than a typed event. */
  publishRaw(subject: string, payload: { eventId: string; revocationId?: string }): Promise<PubAck> {
    const h = natsHeaders();
    h.set(EventHeader.eventId, payload.eventId);
    if (payload.revocationId) h.set(EventHeader.revocationId, payload.revocationId);
    return this.js.publish(this.namespace.subject(subject), JSON.stringify(payload), {
      msgID: payload.eventId,
      headers: h,
      timeout: this.timeoutMs,
    });
  }
}
