import { IntersectionType, PartialType, PickType } from '@nestjs/swagger';
import { EmailCodeStepUpRequest, LoginRequest, OptionalField, OtpStepUpRequest, StepUpRequest } from '@signoff/contracts';
import { IsBoolean } from 'class-validator';

/**
 * HTTP bodies of the auth routes, cut from the RPC contracts so each field is validated by one
 * definition. The caller's address and agent come from the request, never from the body.
 */
export class LoginBody extends PickType(LoginRequest, ['email', 'password', 'device', 'otpCode', 'sessionLifetimeSeconds'] as const) {}

/**
 * Step-up by the password, a code from the authenticator app (or a recovery code), or the code
 * mailed by `POST /v1/auth/step-up/email-code`: exactly one of the three.
 */
export class StepUpBody extends IntersectionType(
  // `skipNullProperties: false`: optional means absent, so `{"password": null}` is refused (input-rules.ts).
  PartialType(PickType(StepUpRequest, ['password'] as const), { skipNullProperties: false }),
  PartialType(PickType(OtpStepUpRequest, ['otpCode'] as const), { skipNullProperties: false }),
  PartialType(PickType(EmailCodeStepUpRequest, ['emailCode'] as const), { skipNullProperties: false }),
) {}

export class RevokeAllBody {
  /** Sign this device out too (default), or keep it signed in. */
  @OptionalField()
  @IsBoolean()
  includeCurrent?: boolean;
}
