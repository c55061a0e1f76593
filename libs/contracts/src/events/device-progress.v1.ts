import { IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { EventBase } from './event-base';

/** Progress of one revocation on one device, reported by the gateway that saw it. */
export abstract class DeviceProgressEvent extends EventBase {
  @IsUUID()
  revocationId!: string;

  @IsUUID()
  accountId!: string;

  @IsString()
  @MaxLength(128)
  deviceId!: string;

  @IsUUID()
  sessionId!: string;

  @IsString()
  @MaxLength(128)
  gatewayId!: string;
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
