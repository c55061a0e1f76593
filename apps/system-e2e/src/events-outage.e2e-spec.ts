import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually, TcpProxy } from '@signoff/testing';
import { http, proxiedNats, TestStack } from './support/test-stack';

/**
 * JetStream is out of auth-service's reach when the holder signs out everywhere: the revoke is
 * still accepted (202) and refresh is refused at once; the event waits in the outbox and, when
 * the broker is back, reaches the gateways, which cut the device. Delayed, never dropped.
 */
describe('sign out everywhere while auth-service cannot reach JetStream', () => {
  let stack: TestStack;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const nats = await proxiedNats();
    proxy = nats.proxy;
    stack = await TestStack.start({ gateways: 2, authEnv: { EVENTS_NATS_URL: nats.url } });
  }, 120_000);

  afterAll(async () => {
    await proxy?.restore();
    await stack?.stop();
    await proxy?.stop();
  }, 60_000);

  it('accepts the revoke, refuses refresh at once, and cuts the device once the broker is back', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const tvRefreshToken = tv.tokens!.refreshToken;
    let restored = false;
    const tvOut = new Promise<{ event: SignedOutEvent; afterRestore: boolean }>((resolve) =>
      tv.once('signed-out', (event) => resolve({ event, afterRestore: restored })),
    );
    const { reauthToken } = await phone.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: holder.password });

    const phoneToken = phone.tokens!.accessToken;
    await proxy.cut();
    const accepted = await http(stack.gateway(1), 'POST', '/v1/sessions/revoke-all', {
      token: phoneToken,
      body: {},
      headers: { 'X-Reauth-Token': reauthToken },
    });
    expect(accepted.status).toBe(202);
    const { revocationId } = accepted.body as { revocationId: string };

    // Refresh is refused at once: the session rows were revoked in the same transaction.
    const refresh = await http(stack.gateway(0), 'POST', '/v1/auth/refresh', { body: { refreshToken: tvRefreshToken } });
    expect(refresh.status).toBe(401);
    expect(refresh.body).toMatchObject({ error: { code: 'SESSION_REVOKED' }, logout: { revocationId, purgeDownloads: true } });
    // The event has not left: the TV is still connected, and the outage shows in readiness.
    await expectEventually(async () => expect((await http(`http://127.0.0.1:${stack.stack.auth.options.env.HTTP_PORT}`, 'GET', '/health/ready')).status).toBe(503));
    expect(tv.signedOutBy).toBeUndefined();

    restored = true;
    await proxy.restore();
    const { event, afterRestore } = await tvOut;
    expect(afterRestore).toBe(true);
    expect(event).toEqual({ revocationId, reason: 'sign_out_all', via: 'websocket' });
    for (const gateway of [0, 1]) {
      const refused = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: phoneToken });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('SESSION_REVOKED');
    }
  });
});
