import { IsInt, IsUUID, Min } from 'class-validator';
import { RevocationEvent } from './revocation-event';
import { OptionalField } from '../input-rules';

/**
 * `security.account.epoch_bumped.v1`: every access token of the account with an older epoch is
 * dead, except those of `exceptSessionId` (the device that asked to keep itself signed in).
 * `sessionIds`/`deviceIds` list the sessions that were live when it committed.
 */
export class AccountEpochBumpedV1 extends RevocationEvent {
  @IsInt()
  @Min(1)
  epoch!: number;

  @OptionalField()
  @IsUUID()
  exceptSessionId?: string;
}
