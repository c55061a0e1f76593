/**
 * Redis keys shared between services (gateways write live state, the registry reads it).
 * Bare keys: every client adds its deployment's `REDIS_KEY_PREFIX` (ioredis `keyPrefix`).
 */
export const RedisKey = {
  /** String: id of the gateway holding the device's control socket; expires unless refreshed. */
  presence: (accountId: string, deviceId: string) => `presence:${accountId}:${deviceId}`,
  /** String (JSON `DevicePlaybackState`): what the device is playing; expires with heartbeats. */
  devicePlayback: (accountId: string, deviceId: string) => `playback:device:${accountId}:${deviceId}`,
  /** Sorted set: the account's live playback ids scored by last heartbeat (ms): the stream limit. */
  accountStreams: (accountId: string) => `streams:${accountId}`,
  /** Hash: one playback session (accountId, deviceId, sessionId, titleId, state, positionMs). */
  playback: (playbackId: string) => `playback:${playbackId}`,
  /** Set: playback ids started by one session, so a revocation can end them all. */
  sessionPlaybacks: (sessionId: string) => `session-playbacks:${sessionId}`,
} as const;

export interface DevicePlaybackState {
  playbackId: string;
  titleId: string;
  state: 'playing' | 'paused';
  positionMs: number;
  /** ISO time of the last heartbeat. */
  at: string;
}

/** Live-state timings shared by writer and reader. */
export const LIVE_STATE = {
  presenceTtlSeconds: 60,
  presenceRefreshSeconds: 20,
  /** A stream whose heartbeats stop frees its place after this long. */
  playbackTimeoutSeconds: 90,
} as const;
