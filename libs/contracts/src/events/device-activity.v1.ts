import { IsIn, IsISO8601, IsString, IsUUID, MaxLength } from 'class-validator';
import { OptionalField } from '../input-rules';

/** `devices.activity.recorded.v1` (core NATS, loss-tolerant): a device did something visible. */
export class DeviceActivityV1 {
  @IsUUID()
  accountId!: string;

  @IsString()
  @MaxLength(128)
  deviceId!: string;

  @IsUUID()
  sessionId!: string;

  @IsIn(['active', 'playback_started'])
  kind!: 'active' | 'playback_started';

  @OptionalField()
  @IsString()
  @MaxLength(128)
  titleId?: string;

  @OptionalField()
  @IsUUID()
  profileId?: string;

  @IsISO8601({ strict: true })
  at!: string;
}
