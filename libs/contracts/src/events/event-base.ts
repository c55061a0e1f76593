import { IsISO8601, IsUUID } from 'class-validator';

/** Fields every event carries. `eventId` is also the JetStream de-duplication id. */
export abstract class EventBase {
  @IsUUID()
  eventId!: string;

  @IsISO8601({ strict: true })
  occurredAt!: string;
}
