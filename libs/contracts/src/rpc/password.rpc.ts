import { IsBoolean, IsEmail, IsString, Length, MaxLength } from 'class-validator';
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

/** Request/reply payloads of password reset (subjects `auth.password-reset.*.v1`). */

/** Forgot password: mail a single-use link if the email has an account; the reply never says. */
export class RequestPasswordResetRequest {
  @IsEmail()
  @MaxLength(INPUT_LIMITS.emailMax)
  email!: string;
}

/** Always empty, for a known email and an unknown one alike (SECURITY promise 5). */
export type RequestPasswordResetReply = Record<string, never>;

/** Set a new password with the emailed token; signs every device of the account out. */
export class ConfirmPasswordResetRequest {
  @IsString()
  @Length(1, 512)
  token!: string;

  /** Same limits as sign-up. */
  @IsString()
  @Length(INPUT_LIMITS.passwordMin, INPUT_LIMITS.passwordMax)
  newPassword!: string;
}

export interface ConfirmPasswordResetReply {
  /** The revocation that signed every device out (follow it at `GET /v1/revocations/:id`). */
  revocationId: string;
}
