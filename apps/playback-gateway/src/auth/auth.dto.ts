import { DeviceDescriptor, INPUT_LIMITS } from '@signoff/contracts';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';

/** HTTP bodies of the auth routes. The caller's address and agent come from the request, not the body. */
export class LoginBody {
  @IsString()
  @MaxLength(INPUT_LIMITS.emailMax)
  email!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.passwordMax)
  password!: string;

  @ValidateNested()
  @Type(() => DeviceDescriptor)
  device!: DeviceDescriptor;
}

export class StepUpBody {
  @IsString()
  @Length(1, INPUT_LIMITS.passwordMax)
  password!: string;
}

export class RevokeAllBody {
  /** Sign this device out too (default), or keep it signed in. */
  @IsOptional()
  @IsBoolean()
  includeCurrent?: boolean;
}
