import { IsBoolean, IsString, Length } from 'class-validator';
import { INPUT_LIMITS } from '../domain';
import { SessionRef } from './auth.rpc';

/** Request/reply payloads of password change (subject `auth.password.change.v1`). */

/**
 * Change the account's password from a signed-in session. Needs a reauth token of this session
 * (step-up) and the current password; `signOutOtherDevices` (the HTTP default is true) signs
 * every other session out in the same transaction.
 */
export class ChangePasswordRequest extends SessionRef {
  @IsString()
  @Length(1, 512)
  reauthToken!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.passwordMax)
  currentPassword!: string;

  /** Same limits as sign-up; must differ from the current password. */
  @IsString()
  @Length(INPUT_LIMITS.passwordMin, INPUT_LIMITS.passwordMax)
  newPassword!: string;

  @IsBoolean()
  signOutOtherDevices!: boolean;
}

export interface ChangePasswordReply {
  /** The revocation that signed the other devices out (absent when they were kept). */
  revocationId?: string;
}
