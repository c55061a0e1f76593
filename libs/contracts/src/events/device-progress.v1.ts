import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { EventBase } from './event-base';

/** How far one device got in one revocation, as the gateway that saw it reports it. */
export class DeviceProgressItem {
  @IsUUID()
  revocationId!: string;

  @IsUUID()
  accountId!: string;

  @IsString()
  @MaxLength(128)
  deviceId!: string;

  @IsUUID()
  sessionId!: string;

  /** When it happened to this device. */
  @IsISO8601({ strict: true })
  occurredAt!: string;
}

/** Most reports one message carries. */
export const MAX_PROGRESS_ITEMS = 1_000;

/**
 * Progress reports of one kind from one gateway, coalesced over a few milliseconds: signing out
 * thousands of devices at once makes one message per burst, not one per device.
 */
export abstract class DeviceProgressEvent extends EventBase {
  @IsString()
  @MaxLength(128)
  gatewayId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PROGRESS_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => DeviceProgressItem)
  devices!: DeviceProgressItem[];
}

/** `playback.device.cut.v1`: the gateway sent the logout directive and closed the socket (4001). */
export class DeviceCutV1 extends DeviceProgressEvent {}

/** `device.logout.acknowledged.v1`: the device answered the directive with an `ack`. */
export class DeviceLogoutAcknowledgedV1 extends DeviceProgressEvent {}

/** `device.logout.reconnected.v1`: a device offline at revocation time came back and was told. */
export class DeviceLoggedOutOnReconnectV1 extends DeviceProgressEvent {
  @IsIn(['websocket', 'refresh'])
  via!: 'websocket' | 'refresh';
}
