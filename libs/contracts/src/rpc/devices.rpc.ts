import { IsInt, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { DeviceStatus, DeviceType, INPUT_LIMITS, ProgressState, RevocationScope } from '../domain';
import { OptionalField } from '../input-rules';

/** Request/reply payloads of device-registry (subjects `devices.*`). */

export class ListDevicesRequest {
  @IsUUID()
  accountId!: string;

  /** The caller's device, flagged `current` in the reply. */
  @OptionalField()
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

/** History pages: newest first, `limit` entries, then `nextCursor` (null: no older entries) for the next. */
export const HISTORY_PAGE = { defaultLimit: 50, maxLimit: 100 } as const;

/** An opaque position in a history (base64url); what a reply's `nextCursor` was. */
const HISTORY_CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

class HistoryPageRequest {
  @OptionalField()
  @IsString()
  @Matches(HISTORY_CURSOR, { message: 'cursor must be a nextCursor from an earlier page' })
  cursor?: string;

  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(HISTORY_PAGE.maxLimit)
  limit?: number;
}

export class GetDeviceHistoryRequest extends HistoryPageRequest {
  @IsUUID()
  accountId!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  deviceId!: string;
}
export interface DeviceHistoryEntry {
  /**
   * `revocation`: signed out by a revocation, `detail` its reason (`refresh_token_reused` is the
   * reuse alert); `location_changed`: signed in from another place, `detail` "from → to".
   */
  kind: 'signed_in' | 'signed_out' | 'revocation' | 'logged_out_on_reconnect' | 'activity' | 'location_changed';
  at: string;
  sessionId: string | null;
  revocationId: string | null;
  detail: string | null;
}
export interface DeviceHistoryReply {
  deviceId: string;
  entries: DeviceHistoryEntry[];
  nextCursor: string | null;
}

/** Every device's history of one account, interleaved by time (kept after sign-out, until retention). */
export class GetAccountHistoryRequest extends HistoryPageRequest {
  @IsUUID()
  accountId!: string;
}
export interface AccountHistoryEntry extends DeviceHistoryEntry {
  deviceId: string;
  deviceName: string;
}
export interface AccountHistoryReply {
  entries: AccountHistoryEntry[];
  nextCursor: string | null;
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
