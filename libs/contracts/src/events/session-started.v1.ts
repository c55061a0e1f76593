import { IsIP, IsString, IsUUID, MaxLength } from 'class-validator';
import { DeviceDescriptor } from './device-descriptor';
import { EventBase } from './event-base';
import { NestedObject, OptionalField } from '../input-rules';

/** `security.session.started.v1`: a device signed in; the registry records it. */
export class SessionStartedV1 extends EventBase {
  @IsUUID()
  accountId!: string;

  @IsUUID()
  sessionId!: string;

  @NestedObject(() => DeviceDescriptor)
  device!: DeviceDescriptor;

  @OptionalField()
  @IsUUID()
  profileId?: string;

  @OptionalField()
  @IsIP()
  ip?: string;

  @OptionalField()
  @IsString()
  @MaxLength(512)
  userAgent?: string;
}
