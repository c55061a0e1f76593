import { EventSubject } from '../subjects';
import { AccountEpochBumpedV1 } from './account-epoch-bumped.v1';
import { DeviceCutV1, DeviceLoggedOutOnReconnectV1, DeviceLogoutAcknowledgedV1 } from './device-progress.v1';
import { KeysRotatedV1 } from './keys-rotated.v1';
import { PasswordChangedV1 } from './password-changed.v1';
import { SessionRevokedV1 } from './session-revoked.v1';
import { SessionStartedV1 } from './session-started.v1';

/** Subject → payload class: what `emit` and consumers use to stay typed and validated. */
export const EVENT_CLASSES = {
  [EventSubject.sessionStarted]: SessionStartedV1,
  [EventSubject.sessionRevoked]: SessionRevokedV1,
  [EventSubject.accountEpochBumped]: AccountEpochBumpedV1,
  [EventSubject.keysRotated]: KeysRotatedV1,
  [EventSubject.passwordChanged]: PasswordChangedV1,
  [EventSubject.deviceCut]: DeviceCutV1,
  [EventSubject.deviceLogoutAcknowledged]: DeviceLogoutAcknowledgedV1,
  [EventSubject.deviceLoggedOutOnReconnect]: DeviceLoggedOutOnReconnectV1,
} as const;

export type EventMap = { [K in keyof typeof EVENT_CLASSES]: InstanceType<(typeof EVENT_CLASSES)[K]> };
