import { IsIn, IsString, Length, Matches, MaxLength } from 'class-validator';
import { DEVICE_TYPES, DeviceType, INPUT_LIMITS } from '../domain';
import { OptionalField } from '../input-rules';

/** What a device says about itself when it signs in. Names are stored as given, shown as text. */
export class DeviceDescriptor {
  /** Chosen by the device and stable across its sign-ins; unique within one account. */
  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'id may contain letters, digits and . _ : - only' })
  id!: string;

  @IsIn(DEVICE_TYPES)
  type!: DeviceType;

  @IsString()
  @Length(1, INPUT_LIMITS.deviceNameMax)
  name!: string;

  @OptionalField()
  @IsString()
  @MaxLength(INPUT_LIMITS.shortTextMax)
  os?: string;

  @OptionalField()
  @IsString()
  @MaxLength(INPUT_LIMITS.shortTextMax)
  appVersion?: string;
}
