import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { DeviceStatus, DeviceType, INPUT_LIMITS, ProgressState, RevocationScope } from '../domain';

/** Request/reply payloads of device-registry (subjects `devices.*`). */

export class ListDevicesRequest {
  @IsUUID()
  accountId!: string;

  /** The caller's device, flagged `current` in the reply. */
  @IsOptional()
  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  currentDeviceId?: string;
}

/** Approximate place of the device's last sign-in address (GeoIP); docs/devices.md. */
export interface DeviceLocation {
  /** ISO 3166-1 alpha-2 code ("PT"). */
  country: string | null;
  region: string | null;
  city: string | null;
}

export interface DeviceView {
  deviceId: string;
  /** The session the device is (or was last) signed in with. */
  sessionId: string | null;
  type: DeviceType;
  name: string;
  os: string | null;
  appVersion: string | null;
  /** Id of the profile last used on the device. */
  lastProfile: string | null;
  /** Its name, added by the gateway from the account's profiles (null if none or since deleted). */
  lastProfileName?: string | null;
  lastActiveAt: string | null;
  lastWatchedAt: string | null;
  lastWatchedTitleId: string | null;
  location: DeviceLocation;
  status: DeviceStatus;
  current: boolean;
  signedInAt: string | null;
}
export interface ListDevicesReply {
  devices: DeviceView[];
}

export class GetDeviceHistoryRequest {
  @IsUUID()
  accountId!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  deviceId!: string;
}
export interface DeviceHistoryEntry {
  /** `location_changed`: signed in from another place than before; `detail` says "from → to". */
  kind: 'signed_in' | 'signed_out' | 'revocation' | 'logged_out_on_reconnect' | 'activity' | 'location_changed';
  at: string;
  sessionId: string | null;
  revocationId: string | null;
  detail: string | null;
}
export interface DeviceHistoryReply {
  deviceId: string;
  entries: DeviceHistoryEntry[];
}

export class GetRevocationProgressRequest {
  @IsUUID()
  accountId!: string;

  @IsUUID()
  revocationId!: string;
}
export interface RevocationDeviceProgress {
  deviceId: string;
  name: string;
  state: ProgressState;
  at: string;
}
export interface RevocationProgressReply {
  revocationId: string;
  scope: RevocationScope;
  requestedAt: string;
  completedAt: string | null;
  devices: RevocationDeviceProgress[];
}
