import { IsInt, Matches, Max, Min } from 'class-validator';
import { EventSubject } from '../subjects';
import { OptionalField } from '../input-rules';

/** The events that revoke something: what the record holds and a gateway's view is made of. */
export const RECORDED_REVOCATION_SUBJECTS: readonly string[] = [EventSubject.sessionRevoked, EventSubject.accountEpochBumped];

/**
 * auth-service's own record of recent revocations (its outbox), so that a gateway can rebuild
 * and check its view without the SECURITY stream: after the stream lost its data, or when it is
 * younger than the access-token lifetime. Paged by outbox id, oldest first.
 */
export class ListRecentRevocationsRequest {
  /** Continue after this outbox id (the previous page's `nextAfterId`). */
  @OptionalField()
  @Matches(/^[0-9]{1,19}$/)
  afterId?: string;

  @IsInt()
  @Min(1)
  @Max(1_000)
  limit!: number;
}

/** One revocation event as it was published: validate it like any inbound event. */
export interface RecordedRevocationEvent {
  subject: string;
  payload: Record<string, unknown>;
}

export interface ListRecentRevocationsReply {
  events: RecordedRevocationEvent[];
  /** Present when more may follow. */
  nextAfterId?: string;
}
