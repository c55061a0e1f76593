import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually, TcpProxy } from '@signoff/testing';
import { http, proxiedNats, TestStack } from './support/test-stack';

/**
 * A gateway that loses NATS fails closed (503, not ready) while a revocation is published
 * elsewhere, then applies it as soon as it reconnects: the device it holds is cut.
 */
describe('a gateway that loses NATS while a revocation is published', () => {
  let stack: TestStack;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const nats = await proxiedNats();
    proxy = nats.proxy;
    // Gateway 0 talks to NATS directly; gateway 1 through the proxy the test can cut.
    stack = await TestStack.start({ gateways: 2, gatewayEnv: () => [undefined, { NATS_URL: nats.url }] });
  }, 120_000);

  afterAll(async () => {
    await proxy?.restore();
    await stack?.stop();
    await proxy?.stop();
  }, 60_000);

  it('answers 503 and is not ready meanwhile, then cuts the device on reconnect', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const tvToken = tv.tokens!.accessToken;
    let restored = false;
    const tvOut = new Promise<{ event: SignedOutEvent; whileCut: boolean }>((resolve) =>
      tv.once('signed-out', (event) => resolve({ event, whileCut: !restored })),
    );
    const tvClosed = tv.closed();

    await proxy.cut();
    await expectEventually(async () => {
      const ready = await http(stack.gateway(1), 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks['revocation-view']).toBe(false);
    });
    const stale = await http(stack.gateway(1), 'GET', '/v1/auth/whoami', { token: tvToken });
    expect(stale.status).toBe(503);
    expect(stale.body.error.code).toBe('REVOCATION_VIEW_STALE');

    // The holder signs out everywhere through the gateway that still has NATS.
    const { revocationId } = await phone.signOutEverywhere(holder.password);
    const refreshed = await http(stack.gateway(0), 'POST', '/v1/auth/refresh', { body: { refreshToken: tv.tokens!.refreshToken } });
    expect(refreshed.body.error.code).toBe('SESSION_REVOKED');

    // Its control channel is still open: this gateway has not heard of the revocation yet.
    expect(tv.signedOutBy).toBeUndefined();

    restored = true;
    await proxy.restore();
    const { event, whileCut } = await tvOut;
    expect(event).toEqual({ revocationId, reason: 'sign_out_all', via: 'websocket' });
    expect(whileCut).toBe(false);
    expect((await tvClosed).code).toBe(4001);

    await expectEventually(async () => expect((await http(stack.gateway(1), 'GET', '/health/ready')).status).toBe(200), { timeoutMs: 10_000 });
    const refused = await http(stack.gateway(1), 'GET', '/v1/auth/whoami', { token: tvToken });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('SESSION_REVOKED');
  });
});
