import { IsBoolean, IsUUID } from 'class-validator';
import { EventBase } from './event-base';

/**
 * `security.password.changed.v1`: the account's password was changed from a signed-in session.
 * Not a revocation event: when other devices were signed out, that travels as its own
 * `security.account.epoch_bumped.v1` (reason `password_changed`) written in the same
 * transaction, which gateways and the registry already act on. This one is a record (audit,
 * notifications), carrying no secret.
 */
export class PasswordChangedV1 extends EventBase {
  @IsUUID()
  accountId!: string;

  /** The session that changed it (and stayed signed in). */
  @IsUUID()
  changedBySessionId!: string;

  @IsBoolean()
  signedOutOtherDevices!: boolean;
}
