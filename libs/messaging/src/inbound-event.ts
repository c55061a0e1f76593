import { EVENT_CLASSES, EventMap, parseEvent } from '@signoff/contracts';
import { JsMsg } from 'nats';
import { NatsNamespace } from './nats-namespace';

/** One validated event: its subject and the payload that subject carries. */
export type TypedEvent = {
  [K in keyof EventMap]: { subject: K; payload: EventMap[K] };
}[keyof EventMap];

/** One validated event, with where it sat in its stream. */
export type InboundEvent = {
  [K in keyof EventMap]: { subject: K; payload: EventMap[K]; streamSequence: number; redelivered: boolean };
}[keyof EventMap];

/**
 * Validates a JetStream message against its contract class (the edge of every consumer).
 * Fields a newer producer added are dropped (a rolling upgrade runs old consumers beside new
 * producers); the known fields must be valid. Throws for anything malformed or unknown.
 */
export function decodeEvent(message: JsMsg, namespace: NatsNamespace): InboundEvent {
  const subject = namespace.bare(message.subject);
  if (!Object.prototype.hasOwnProperty.call(EVENT_CLASSES, subject)) {
    throw new Error(`no contract for subject ${subject}`);
  }
  const cls = EVENT_CLASSES[subject as keyof typeof EVENT_CLASSES];
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(message.data));
  } catch {
    throw new Error(`malformed JSON on ${subject}`);
  }
  const payload = parseEvent(cls as new () => object, body);
  return {
    subject,
    payload,
    streamSequence: message.info.streamSequence,
    redelivered: message.info.redelivered,
  } as InboundEvent;
}
