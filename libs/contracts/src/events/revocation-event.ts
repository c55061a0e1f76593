import { ArrayMaxSize, IsArray, IsIn, IsString, IsUUID } from 'class-validator';
import { REVOCATION_REASONS, REVOCATION_SCOPES, RevocationReason, RevocationScope } from '../domain';
import { EventBase } from './event-base';
import { OptionalField } from '../input-rules';

/**
 * What every revocation event says: which sessions died, on which devices, and why.
 * `sessionIds[i]` is the session that `deviceIds[i]` was signed in with (same length, paired).
 */
export abstract class RevocationEvent extends EventBase {
  @IsUUID()
  revocationId!: string;

  @IsUUID()
  accountId!: string;

  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  sessionIds!: string[];

  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  deviceIds!: string[];

  @IsIn(REVOCATION_REASONS)
  reason!: RevocationReason;

  /**
   * What auth-service recorded the revocation as covering. Optional: events published before it
   * existed do not carry it (consumers then derive it from the reason).
   */
  @OptionalField()
  @IsIn(REVOCATION_SCOPES)
  scope?: RevocationScope;
}
