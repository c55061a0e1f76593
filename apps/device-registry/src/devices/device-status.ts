import { DevicePlaybackState, DeviceStatus } from '@signoff/contracts';

/** What Redis says about a device right now (written by the gateways). */
export interface LiveState {
  /** A gateway holds the device's control socket. */
  present: boolean;
  /** What the device is playing, if anything. */
  playback: Pick<DevicePlaybackState, 'state'> | null;
}

export interface DeviceStatusInput {
  /** The device's current session was revoked (or it signed out). */
  signedOut: boolean;
  /** Some revocation still waits for this device's session to be told. */
  logoutPending: boolean;
  /** Live state, or `undefined` when Redis could not be asked. */
  live: LiveState | undefined;
}

/**
 * The status shown in the device list. Signed-out devices are answered from Postgres alone;
 * live state only colours devices that are still signed in, and without Redis they show as
 * `offline` (this is display, never a security decision).
 */
export function deriveDeviceStatus({ signedOut, logoutPending, live }: DeviceStatusInput): DeviceStatus {
  if (signedOut) return logoutPending ? 'logout_pending' : 'signed_out';
  if (!live) return 'offline';
  if (live.playback?.state === 'playing') return 'streaming';
  if (live.playback?.state === 'paused') return 'paused';
  return live.present ? 'online' : 'offline';
}

/** Reads a `RedisKey.devicePlayback` value; anything unreadable counts as "nothing playing". */
export function parsePlaybackState(raw: string | null): Pick<DevicePlaybackState, 'state'> | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const state = (value as { state?: unknown }).state;
    return state === 'playing' || state === 'paused' ? { state } : null;
  } catch {
    return null;
  }
}
