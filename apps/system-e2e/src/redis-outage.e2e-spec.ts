import { SignedOutEvent } from '@signoff/device-client';
import { ChildServer, expectEventually, startRedisServer } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * Redis goes away under the stack. The gateways must stay in the load balancer (ready), because
 * they can still verify tokens and sign devices out; only what needs Redis (stream starts) fails,
 * and it fails closed.
 */
describe('Redis gone under the stack', () => {
  let redis: ChildServer;
  let stack: TestStack;

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await TestStack.start({ gateways: 2, env: { REDIS_URL: redis.url } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await redis?.dispose();
  }, 60_000);

  it('keeps every gateway ready and signing out, refuses stream starts, and says Redis is down', async () => {
    const { tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    await redis.kill();

    for (const gateway of [0, 1]) {
      await expectEventually(async () => {
        const ready = await http(stack.gateway(gateway), 'GET', '/health/ready');
        expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: false, 'revocation-view': true } } });
      });
    }
    const refused = await http(stack.gateway(1), 'POST', '/v1/playback/sessions', { token: phone.tokens!.accessToken, body: { titleId: 'title-1' } });
    expect(refused.status).toBe(503);

    const tvToken = tv.tokens!.accessToken;
    const out = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));
    const { revocationId } = await phone.request<{ revocationId: string }>('POST', '/v1/devices/tv/sign-out');
    expect((await out).revocationId).toBe(revocationId);
    const revoked = await http(stack.gateway(1), 'GET', '/v1/auth/whoami', { token: tvToken });
    expect(revoked.status).toBe(401);
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
  });
});
