import { Type } from 'class-transformer';
import { IsIP, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { DeviceDescriptor } from './device-descriptor';
import { EventBase } from './event-base';

/** `security.session.started.v1`: a device signed in; the registry records it. */
export class SessionStartedV1 extends EventBase {
  @IsUUID()
  accountId!: string;

  @IsUUID()
  sessionId!: string;

  @ValidateNested()
  @Type(() => DeviceDescriptor)
  device!: DeviceDescriptor;

  @IsOptional()
  @IsUUID()
  profileId?: string;

  @IsOptional()
  @IsIP()
  ip?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  userAgent?: string;
}
