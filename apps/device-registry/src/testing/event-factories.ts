import { randomUUID } from 'node:crypto';
import {
  AccountEpochBumpedV1,
  DeviceActivityV1,
  DeviceCutV1,
  DeviceDescriptor,
  DeviceLoggedOutOnReconnectV1,
  DeviceLogoutAcknowledgedV1,
  DevicePlaybackState,
  SessionRevokedV1,
  SessionStartedV1,
} from '@signoff/contracts';

/**
 * A clock for one spec: each `next()` is one second after the previous, so events that must be
 * ordered in time are, however fast the test runs.
 */
export function testClock(start = Date.parse('2026-11-21T12:00:00.000Z')): { next(): string } {
  let t = start;
  return {
    next: () => {
      t += 1_000;
      return new Date(t).toISOString();
    },
  };
}

/** One device of one account, signed in with one session: what the factories below talk about. */
export interface SignedInDevice {
  accountId: string;
  deviceId: string;
  sessionId: string;
}

export function signedInDevice(overrides: Partial<SignedInDevice> = {}): SignedInDevice {
  return { accountId: randomUUID(), deviceId: `dev-${randomUUID().slice(0, 8)}`, sessionId: randomUUID(), ...overrides };
}

export function sessionStarted(
  device: SignedInDevice,
  overrides: Partial<Omit<SessionStartedV1, 'device'>> & { device?: Partial<DeviceDescriptor> } = {},
): SessionStartedV1 {
  const { device: descriptor, ...rest } = overrides;
  return {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    accountId: device.accountId,
    sessionId: device.sessionId,
    device: { id: device.deviceId, type: 'tv', name: 'Living room TV', os: 'tvOS 18', appVersion: '4.2.0', ...descriptor },
    ip: '203.0.113.7',
    ...rest,
  };
}

/** "Sign out of all devices" over the given devices (all of one account). */
export function epochBumped(devices: SignedInDevice[], overrides: Partial<AccountEpochBumpedV1> = {}): AccountEpochBumpedV1 {
  return {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    revocationId: randomUUID(),
    accountId: devices[0]?.accountId ?? randomUUID(),
    sessionIds: devices.map((d) => d.sessionId),
    deviceIds: devices.map((d) => d.deviceId),
    reason: 'sign_out_all',
    epoch: 2,
    ...overrides,
  };
}

export function sessionRevoked(devices: SignedInDevice[], overrides: Partial<SessionRevokedV1> = {}): SessionRevokedV1 {
  return {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    revocationId: randomUUID(),
    accountId: devices[0]?.accountId ?? randomUUID(),
    sessionIds: devices.map((d) => d.sessionId),
    deviceIds: devices.map((d) => d.deviceId),
    reason: 'sign_out_device',
    ...overrides,
  };
}

type ProgressFields = { revocationId: string; occurredAt?: string; gatewayId?: string };

/** A progress message reporting one device (gateways coalesce many; one is the common test case). */
function progressBase(device: SignedInDevice, fields: ProgressFields): DeviceCutV1 {
  const occurredAt = fields.occurredAt ?? new Date().toISOString();
  return {
    eventId: randomUUID(),
    occurredAt,
    gatewayId: fields.gatewayId ?? 'gw-1',
    devices: [{ revocationId: fields.revocationId, accountId: device.accountId, deviceId: device.deviceId, sessionId: device.sessionId, occurredAt }],
  };
}

export const deviceCut = (device: SignedInDevice, fields: ProgressFields): DeviceCutV1 => progressBase(device, fields);

export const logoutAcknowledged = (device: SignedInDevice, fields: ProgressFields): DeviceLogoutAcknowledgedV1 => progressBase(device, fields);

export const loggedOutOnReconnect = (device: SignedInDevice, fields: ProgressFields): DeviceLoggedOutOnReconnectV1 => ({
  ...progressBase(device, fields),
  via: 'websocket',
});

export function deviceActivity(device: SignedInDevice, overrides: Partial<DeviceActivityV1> = {}): DeviceActivityV1 {
  return {
    accountId: device.accountId,
    deviceId: device.deviceId,
    sessionId: device.sessionId,
    kind: 'active',
    at: new Date().toISOString(),
    ...overrides,
  };
}

export function playbackState(state: DevicePlaybackState['state']): DevicePlaybackState {
  return { playbackId: randomUUID(), titleId: 'title-1', state, positionMs: 12_000, at: new Date().toISOString() };
}
