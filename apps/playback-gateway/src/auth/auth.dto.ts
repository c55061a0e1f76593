import { PickType } from '@nestjs/swagger';
import { LoginRequest, StepUpRequest } from '@signoff/contracts';
import { IsBoolean, IsOptional } from 'class-validator';

/**
 * HTTP bodies of the auth routes, cut from the RPC contracts so each field is validated by one
 * definition. The caller's address and agent come from the request, never from the body.
 */
export class LoginBody extends PickType(LoginRequest, ['email', 'password', 'device'] as const) {}

export class StepUpBody extends PickType(StepUpRequest, ['password'] as const) {}

export class RevokeAllBody {
  /** Sign this device out too (default), or keep it signed in. */
  @IsOptional()
  @IsBoolean()
  includeCurrent?: boolean;
}
