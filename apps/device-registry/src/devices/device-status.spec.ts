import { deriveDeviceStatus, LiveState, parsePlaybackState } from './device-status';

const live = {
  absent: { present: false, playback: null },
  present: { present: true, playback: null },
  playing: { present: true, playback: { state: 'playing' } },
  paused: { present: true, playback: { state: 'paused' } },
  playingWithoutPresence: { present: false, playback: { state: 'playing' } },
} satisfies Record<string, LiveState>;

describe('deriveDeviceStatus', () => {
  it.each([
    ['a signed-out device with a pending logout', { signedOut: true, logoutPending: true, live: live.playing }, 'logout_pending'],
    ['a signed-out device told of its logout', { signedOut: true, logoutPending: false, live: live.playing }, 'signed_out'],
    ['a signed-out device while Redis is down', { signedOut: true, logoutPending: false, live: undefined }, 'signed_out'],
    ['a playing device', { signedOut: false, logoutPending: false, live: live.playing }, 'streaming'],
    ['a paused device', { signedOut: false, logoutPending: false, live: live.paused }, 'paused'],
    ['a playback key without presence', { signedOut: false, logoutPending: false, live: live.playingWithoutPresence }, 'streaming'],
    ['a connected device', { signedOut: false, logoutPending: false, live: live.present }, 'online'],
    ['a device nobody holds', { signedOut: false, logoutPending: false, live: live.absent }, 'offline'],
    ['a live device while Redis is down', { signedOut: false, logoutPending: false, live: undefined }, 'offline'],
    // A pending row for an older session must not colour a device that signed in again.
    ['a signed-in device with a stale pending flag', { signedOut: false, logoutPending: true, live: live.present }, 'online'],
  ] as const)('%s → %s', (_name, input, expected) => {
    expect(deriveDeviceStatus(input)).toBe(expected);
  });
});

describe('parsePlaybackState', () => {
  it('reads the state of a well-formed value', () => {
    expect(parsePlaybackState(JSON.stringify({ playbackId: 'p', titleId: 't', state: 'paused', positionMs: 1, at: '2026-01-01T00:00:00Z' }))).toEqual({
      state: 'paused',
    });
  });

  it.each([null, 'not json', '42', 'null', JSON.stringify({ state: 'rewinding' })])('treats %p as nothing playing', (raw) => {
    expect(parsePlaybackState(raw)).toBeNull();
  });
});
