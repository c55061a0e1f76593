import { randomUUID } from 'node:crypto';
import { DeviceActivityV1, ListDevicesRequest, LIVE_STATE, RedisKey, RpcSubject, SignoffError } from '@signoff/contracts';
import { listeningPort } from '@signoff/service-kit';
import { expectEventually } from '@signoff/testing';
import {
  deviceActivity,
  epochBumped,
  loggedOutOnReconnect,
  playbackState,
  sessionRevoked,
  sessionStarted,
  signedInDevice,
  testClock,
} from '../testing/event-factories';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';

describe('device-registry: devices (integration)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const list = (accountId: string, currentDeviceId?: string) => h.rpc.call(RpcSubject.listDevices, { accountId, currentDeviceId });
  const statusOf = async (accountId: string, deviceId: string) => (await list(accountId)).devices.find((d) => d.deviceId === deviceId)?.status;

  it('lists signed-in devices with their fields, newest activity first, the caller flagged current', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const phone = signedInDevice({ accountId: tv.accountId });
    const stranger = signedInDevice();
    const profileId = randomUUID();
    const tvAt = clock.next();
    const phoneAt = clock.next();
    await h.publish('security.session.started.v1', sessionStarted(tv, { occurredAt: tvAt, profileId }));
    await h.publish(
      'security.session.started.v1',
      sessionStarted(phone, { occurredAt: phoneAt, device: { type: 'phone', name: 'Pixel 9', os: undefined, appVersion: undefined } }),
    );
    await h.publish('security.session.started.v1', sessionStarted(stranger, { occurredAt: clock.next() }));

    const { devices } = await list(tv.accountId, tv.deviceId);

    expect(devices).toEqual([
      {
        deviceId: phone.deviceId,
        sessionId: phone.sessionId,
        type: 'phone',
        name: 'Pixel 9',
        os: null,
        appVersion: null,
        lastProfile: null,
        lastActiveAt: phoneAt,
        lastWatchedAt: null,
        lastWatchedTitleId: null,
        location: { country: null, region: null, city: null },
        status: 'offline',
        current: false,
        signedInAt: phoneAt,
      },
      {
        deviceId: tv.deviceId,
        sessionId: tv.sessionId,
        type: 'tv',
        name: 'Living room TV',
        os: 'tvOS 18',
        appVersion: '4.2.0',
        lastProfile: profileId,
        lastActiveAt: tvAt,
        lastWatchedAt: null,
        lastWatchedTitleId: null,
        location: { country: null, region: null, city: null },
        status: 'offline',
        current: true,
        signedInAt: tvAt,
      },
    ]);
    expect((await list(tv.accountId)).devices.every((d) => !d.current)).toBe(true);
  });

  it('shows presence and playback written by the gateways as online, streaming and paused', async () => {
    const online = signedInDevice();
    const streaming = signedInDevice({ accountId: online.accountId });
    const paused = signedInDevice({ accountId: online.accountId });
    const idle = signedInDevice({ accountId: online.accountId });
    for (const d of [online, streaming, paused, idle]) await h.publish('security.session.started.v1', sessionStarted(d));
    const ttl = LIVE_STATE.presenceTtlSeconds;
    await h.redis.set(RedisKey.presence(online.accountId, online.deviceId), 'gw-1', 'EX', ttl);
    await h.redis.set(RedisKey.presence(streaming.accountId, streaming.deviceId), 'gw-2', 'EX', ttl);
    await h.redis.set(RedisKey.devicePlayback(streaming.accountId, streaming.deviceId), JSON.stringify(playbackState('playing')), 'EX', ttl);
    await h.redis.set(RedisKey.presence(paused.accountId, paused.deviceId), 'gw-1', 'EX', ttl);
    await h.redis.set(RedisKey.devicePlayback(paused.accountId, paused.deviceId), JSON.stringify(playbackState('paused')), 'EX', ttl);

    const statuses = Object.fromEntries((await list(online.accountId)).devices.map((d) => [d.deviceId, d.status]));

    expect(statuses).toEqual({
      [online.deviceId]: 'online',
      [streaming.deviceId]: 'streaming',
      [paused.deviceId]: 'paused',
      [idle.deviceId]: 'offline',
    });
  });

  it('shows a revoked device as logout_pending until it is told, then signed_out, whatever Redis says', async () => {
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv));
    await h.redis.set(RedisKey.presence(tv.accountId, tv.deviceId), 'gw-1', 'EX', LIVE_STATE.presenceTtlSeconds);
    const revocation = epochBumped([tv]);

    await h.publish('security.account.epoch_bumped.v1', revocation);
    expect(await statusOf(tv.accountId, tv.deviceId)).toBe('logout_pending');

    await h.publish('device.logout.reconnected.v1', loggedOutOnReconnect(tv, { revocationId: revocation.revocationId }));
    expect(await statusOf(tv.accountId, tv.deviceId)).toBe('signed_out');
  });

  it('does not sign out a device whose revoked session was already replaced by a new sign-in', async () => {
    const clock = testClock();
    const first = signedInDevice();
    const second = { ...first, sessionId: randomUUID() };
    await h.publish('security.session.started.v1', sessionStarted(first, { occurredAt: clock.next() }));
    await h.publish('security.session.started.v1', sessionStarted(second, { occurredAt: clock.next() }));
    await h.redis.set(RedisKey.presence(first.accountId, first.deviceId), 'gw-1', 'EX', LIVE_STATE.presenceTtlSeconds);

    await h.publish('security.session.revoked.v1', sessionRevoked([first], { reason: 'replaced_by_new_sign_in', occurredAt: clock.next() }));

    const [device] = (await list(first.accountId)).devices;
    expect(device).toMatchObject({ deviceId: first.deviceId, sessionId: second.sessionId, status: 'online' });
  });

  it('does not bring a signed-out device back when its sign-in is delivered again', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const signIn = sessionStarted(tv, { occurredAt: clock.next() });
    await h.publish('security.session.started.v1', signIn);
    await h.publish('security.account.epoch_bumped.v1', epochBumped([tv], { occurredAt: clock.next() }));

    await h.redeliver('security.session.started.v1', signIn);

    expect(await statusOf(tv.accountId, tv.deviceId)).toBe('logout_pending');
    const { entries } = await h.rpc.call(RpcSubject.getDeviceHistory, { accountId: tv.accountId, deviceId: tv.deviceId });
    expect(entries.filter((e) => e.kind === 'signed_in')).toHaveLength(1);
  });

  it('lists the sign-in and the revocation in the device history, newest first', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const signedInAt = clock.next();
    const revokedAt = clock.next();
    await h.publish('security.session.started.v1', sessionStarted(tv, { occurredAt: signedInAt }));
    const revocation = sessionRevoked([tv], { occurredAt: revokedAt });
    await h.publish('security.session.revoked.v1', revocation);

    const history = await h.rpc.call(RpcSubject.getDeviceHistory, { accountId: tv.accountId, deviceId: tv.deviceId });

    expect(history).toEqual({
      deviceId: tv.deviceId,
      entries: [
        { kind: 'revocation', at: revokedAt, sessionId: tv.sessionId, revocationId: revocation.revocationId, detail: 'sign_out_device' },
        { kind: 'signed_in', at: signedInAt, sessionId: tv.sessionId, revocationId: null, detail: null },
      ],
      nextCursor: null,
    });
  });

  it('answers DEVICE_NOT_FOUND for an unknown device and for another account’s device', async () => {
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv));

    await expect(h.rpc.call(RpcSubject.getDeviceHistory, { accountId: tv.accountId, deviceId: 'no-such-device' })).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
    await expect(h.rpc.call(RpcSubject.getDeviceHistory, { accountId: randomUUID(), deviceId: tv.deviceId })).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
  });

  it('stamps activity and what was last watched from activity notices, and ignores unknown devices', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const signedInAt = clock.next();
    await h.publish('security.session.started.v1', sessionStarted(tv, { occurredAt: signedInAt }));
    const activeAt = clock.next();
    const watchedAt = clock.next();
    const profileId = randomUUID();

    await h.notify(deviceActivity(tv, { kind: 'active', at: activeAt }));
    await expectEventually(async () => expect((await list(tv.accountId)).devices[0]).toMatchObject({ lastActiveAt: activeAt, lastWatchedAt: null }));

    await h.notify(deviceActivity(tv, { kind: 'playback_started', at: watchedAt, titleId: 'title-42', profileId }));
    await expectEventually(async () =>
      expect((await list(tv.accountId)).devices[0]).toMatchObject({
        lastActiveAt: watchedAt,
        lastWatchedAt: watchedAt,
        lastWatchedTitleId: 'title-42',
        lastProfile: profileId,
        signedInAt,
      }),
    );
    // A late, older stamp moves nothing back. Its history line shows when it has been handled.
    await h.notify(deviceActivity(tv, { kind: 'playback_started', at: activeAt, titleId: 'older-title' }));
    const { entries } = await expectEventually(async () => {
      const history = await h.rpc.call(RpcSubject.getDeviceHistory, { accountId: tv.accountId, deviceId: tv.deviceId });
      expect(history.entries.map((e) => e.detail)).toContain('playback_started title=older-title');
      return history;
    });
    expect(entries[0]).toMatchObject({ kind: 'activity', at: watchedAt, detail: 'playback_started title=title-42' });
    expect((await list(tv.accountId)).devices[0]).toMatchObject({ lastActiveAt: watchedAt, lastWatchedAt: watchedAt, lastWatchedTitleId: 'title-42' });
    const stranger = signedInDevice();
    await h.notify(deviceActivity(stranger, { kind: 'playback_started', at: watchedAt, titleId: 'title-1' }));
    expect((await list(stranger.accountId)).devices).toEqual([]);
  });

  it('drops an activity notice that breaks its contract and keeps applying the next ones', async () => {
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv, { occurredAt: '2026-11-21T12:00:00.000Z' }));

    // Would move "last active" to 14:00 if it got past validation (it carries an unknown field).
    await h.notify({ ...deviceActivity(tv, { at: '2026-11-21T14:00:00.000Z' }), admin: true } as DeviceActivityV1);
    await h.notify(deviceActivity(tv, { at: '2026-11-21T13:00:00.000Z' }));

    await expectEventually(async () => expect((await list(tv.accountId)).devices[0].lastActiveAt).toBe('2026-11-21T13:00:00.000Z'));
  });

  it.each<[string, keyof typeof RpcSubject, object]>([
    ['an account id that is not a uuid', 'listDevices', { accountId: 'not-a-uuid' }],
    ['an unknown field', 'listDevices', { accountId: randomUUID(), admin: true }],
    ['a missing device id', 'getDeviceHistory', { accountId: randomUUID() }],
    ['an over-long device id', 'getDeviceHistory', { accountId: randomUUID(), deviceId: 'x'.repeat(500) }],
    ['a revocation id that is not a uuid', 'getRevocationProgress', { accountId: randomUUID(), revocationId: '1 OR 1=1' }],
  ])('refuses a payload with %s as VALIDATION_FAILED', async (_name, rpc, payload) => {
    const subject = RpcSubject[rpc] as typeof RpcSubject.listDevices;
    const failure = await h.rpc.call(subject, payload as ListDevicesRequest).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SignoffError);
    expect(failure).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('reports ready once Postgres, NATS, Redis and both event consumers are up', async () => {
    const response = await fetch(`http://127.0.0.1:${listeningPort(h.app)}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: true, nats: true, redis: true, consumers: true, requests: true } });
  });
});
