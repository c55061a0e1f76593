import { EventSubject, SignoffError } from '@signoff/contracts';
import { expectEventually } from '@signoff/testing';
import { randomUUID } from 'node:crypto';
import { SecurityEventsModule } from '../security-events/security-events.module';
import { GatewayTestModule, principal } from '../testing/gateway-test-module';
import { PlaybackModule } from './playback.module';
import { PlaybackService } from './playback.service';

describe('PlaybackService on real Redis and JetStream', () => {
  let gateway: GatewayTestModule;
  let playback: PlaybackService;

  beforeAll(async () => {
    gateway = await GatewayTestModule.start([SecurityEventsModule, PlaybackModule]);
    playback = gateway.get(PlaybackService);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const outcome = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
      return 'STARTED';
    } catch (error) {
      return error instanceof SignoffError ? error.code : `unexpected ${String(error)}`;
    }
  };

  it.each([
    ['basic', 1],
    ['standard', 2],
    ['premium', 4],
  ])('admits exactly the %s limit (%i) out of 20 parallel starts', async (plan, limit) => {
    const accountId = randomUUID();
    const devices = Array.from({ length: 20 }, () => principal({ accountId, plan }));
    const results = await Promise.all(devices.map((d) => outcome(playback.start(d, 'title'))));
    expect(results.filter((r) => r === 'STARTED')).toHaveLength(limit);
    expect(results.filter((r) => r === 'STREAM_LIMIT_REACHED')).toHaveLength(20 - limit);
  });

  it('lets a device replace its own stream without counting it twice', async () => {
    const tv = principal({ plan: 'basic' });
    await playback.start(tv, 'first');
    await expect(playback.start(tv, 'second')).resolves.toHaveProperty('playbackId');
    expect(await outcome(playback.start(principal({ accountId: tv.accountId, plan: 'basic' }), 'third'))).toBe('STREAM_LIMIT_REACHED');
  });

  it('refuses a kids profile a stream under another profile, before it takes a place', async () => {
    const own = randomUUID();
    const kids = principal({ plan: 'basic', kids: true, profileId: own });
    expect(await outcome(playback.start(kids, 'title', randomUUID()))).toBe('PROFILE_NOT_ALLOWED');
    // The basic plan's one place is still free.
    expect(await outcome(playback.start(kids, 'title', own))).toBe('STARTED');
    expect(await outcome(playback.start(kids, 'title'))).toBe('STARTED');
    // A grown-up profile may name any profile.
    expect(await outcome(playback.start(principal({ plan: 'premium', profileId: randomUUID() }), 'title', own))).toBe('STARTED');
  });

  it('records heartbeats only from the session that owns the stream', async () => {
    const tv = principal();
    const { playbackId } = await playback.start(tv, 'title');
    await expect(playback.heartbeat(tv, playbackId, 5_000, 'paused')).resolves.toMatchObject({ state: 'paused', positionMs: 5_000, titleId: 'title' });
    expect(await outcome(playback.heartbeat(principal({ accountId: tv.accountId }), playbackId, 1, 'playing'))).toBe('PLAYBACK_NOT_FOUND');
    expect(await outcome(playback.heartbeat(tv, randomUUID(), 1, 'playing'))).toBe('PLAYBACK_NOT_FOUND');
  });

  it('frees the places of a revoked session at once', async () => {
    const accountId = randomUUID();
    const tv = principal({ accountId, plan: 'standard' });
    const phone = principal({ accountId, plan: 'standard' });
    const { playbackId } = await playback.start(tv, 'a');
    await playback.start(phone, 'b');
    const tablet = principal({ accountId, plan: 'standard' });
    expect(await outcome(playback.start(tablet, 'c'))).toBe('STREAM_LIMIT_REACHED');

    await gateway.publish(EventSubject.sessionRevoked, {
      revocationId: randomUUID(),
      accountId,
      sessionIds: [tv.sessionId],
      deviceIds: [tv.deviceId],
      reason: 'sign_out_device',
    });
    await expectEventually(async () => expect(await outcome(playback.start(tablet, 'c'))).toBe('STARTED'));
    expect(await outcome(playback.heartbeat(tv, playbackId, 1, 'playing'))).toBe('PLAYBACK_NOT_FOUND');
  });
});
