import { LIVE_STATE, RedisKey, RpcSubject } from '@signoff/contracts';
import { listeningPort } from '@signoff/service-kit';
import { ChildServer, expectEventually, startRedisServer } from '@signoff/testing';
import { epochBumped, sessionStarted, signedInDevice } from '../testing/event-factories';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';

/** Redis only colours the device list: when it is gone the list still answers, promptly. */
describe('device-registry: live state when Redis fails (integration)', () => {
  let redisServer: ChildServer;
  let h: RegistryHarness;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    h = await startRegistryHarness({ env: { REDIS_URL: redisServer.url, REDIS_COMMAND_TIMEOUT_MS: '200' } });
  });

  afterAll(async () => {
    await h?.close();
    await redisServer?.dispose();
  });

  const ready = async () => {
    const response = await fetch(`http://127.0.0.1:${listeningPort(h.app)}/health/ready`);
    return { status: response.status, body: (await response.json()) as { checks: Record<string, boolean> } };
  };

  it('answers with signed-in devices offline while Redis is down, and live again once it is back', async () => {
    const live = signedInDevice();
    const revoked = signedInDevice({ accountId: live.accountId });
    await h.publish('security.session.started.v1', sessionStarted(live));
    await h.publish('security.session.started.v1', sessionStarted(revoked));
    await h.publish('security.account.epoch_bumped.v1', epochBumped([revoked]));
    const markPresent = () => h.redis.set(RedisKey.presence(live.accountId, live.deviceId), 'gw-1', 'EX', LIVE_STATE.presenceTtlSeconds);
    await markPresent();
    const statuses = async () => {
      const { devices } = await h.rpc.call(RpcSubject.listDevices, { accountId: live.accountId });
      return Object.fromEntries(devices.map((d) => [d.deviceId, d.status]));
    };
    expect(await statuses()).toEqual({ [live.deviceId]: 'online', [revoked.deviceId]: 'logout_pending' });

    await redisServer.kill();

    const started = Date.now();
    expect(await statuses()).toEqual({ [live.deviceId]: 'offline', [revoked.deviceId]: 'logout_pending' });
    expect(Date.now() - started).toBeLessThan(1_000);
    // Redis is reported, but the registry stays ready: it still records and answers, only live status degrades.
    await expectEventually(async () => expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: false, postgres: true } } }));

    await redisServer.start();
    await expectEventually(
      async () => {
        await markPresent();
        expect(await statuses()).toEqual({ [live.deviceId]: 'online', [revoked.deviceId]: 'logout_pending' });
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect((await ready()).status).toBe(200);
  });
});
