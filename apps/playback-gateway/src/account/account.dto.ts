import { PickType } from '@nestjs/swagger';
import { ChangePasswordRequest, OptionalField } from '@signoff/contracts';
import { IsBoolean } from 'class-validator';

/**
 * `POST /v1/account/password`, cut from the RPC contract so the password limits have one
 * definition. The session and the reauth token come from the verified token and the header.
 */
export class ChangePasswordBody extends PickType(ChangePasswordRequest, ['currentPassword', 'newPassword'] as const) {
  /** Sign every other device out (default), or keep them signed in. This device stays in. */
  @OptionalField()
  @IsBoolean()
  signOutAllDevices?: boolean;
}
