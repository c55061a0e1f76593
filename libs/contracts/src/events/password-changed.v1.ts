import { IsBoolean, IsIn, IsUUID, ValidateIf } from 'class-validator';
import { EventBase } from './event-base';
import { OptionalField } from '../input-rules';

/** How a password was changed: from a signed-in session, or through an emailed reset link. */
export const PASSWORD_CHANGE_VIAS = ['change', 'reset'] as const;
export type PasswordChangeVia = (typeof PASSWORD_CHANGE_VIAS)[number];

/**
 * `security.password.changed.v1`: the account's password was changed, from a signed-in session
 * (`via` absent or `change`) or by a password reset (`via: 'reset'`, no session). Not a
 * revocation event: when devices were signed out, that travels as its own
 * `security.account.epoch_bumped.v1` (reason `password_changed` or `password_reset`) written in
 * the same transaction, which gateways and the registry already act on. This one is a record
 * (audit, notifications), carrying no secret.
 *
 * `via` was added later and is optional, so events written before it still validate; absent
 * means `change`.
 */
export class PasswordChangedV1 extends EventBase {
  @IsUUID()
  accountId!: string;

  /** The session that changed it (and stayed signed in); absent for a reset. */
  @ValidateIf((event: PasswordChangedV1) => event.via !== 'reset')
  @IsUUID()
  changedBySessionId?: string;

  @IsBoolean()
  signedOutOtherDevices!: boolean;

  @OptionalField()
  @IsIn(PASSWORD_CHANGE_VIAS)
  via?: PasswordChangeVia;
}
