import { DeviceChannelClose } from '@signoff/contracts';
import { ApiError, DeviceClient, SignedOutEvent } from '@signoff/device-client';
import { expectEventually, TcpProxy } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

const DRAIN_WINDOW_MS = 3_000;
const FAST_RECONNECT = { initialDelayMs: 100, maxDelayMs: 400 };

/**
 * A rolling upgrade's step: gateway 0 gets SIGTERM. It turns not ready at once and refuses new
 * device channels; its devices are told to reconnect (1012), spread over the drain window, and
 * come back on gateway 1; a device signed out while it was between gateways (its way to
 * gateway 1 cut by a proxy) gets its logout directive when it reconnects; gateway 0 exits 0.
 */
describe('a gateway drained by SIGTERM', () => {
  let stack: TestStack;
  let proxy: TcpProxy;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, gatewayEnv: () => [{ DRAIN_WINDOW_MS: String(DRAIN_WINDOW_MS) }, undefined] });
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(stack.gateway(1)).port) });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  }, 60_000);

  it('moves its devices to the other gateway, signs out the one revoked meanwhile, and exits 0 in time', async () => {
    const [first, second] = [stack.gateway(0), stack.gateway(1)];
    const holder = await stack.signUp();
    const moving = ['tv', 'tablet'].map((id) => stack.device(0, { id, type: id as 'tv', name: id }, { baseUrls: [second], reconnect: FAST_RECONNECT }));
    // Its only way to gateway 1 goes through the proxy, cut while it is away.
    const stick = stack.device(0, { id: 'stick', type: 'streaming_stick', name: 'Stick' }, { baseUrls: [proxy.urlFor(second)], reconnect: FAST_RECONNECT });
    const late = stack.device(0, { id: 'late', type: 'console', name: 'Console' }, { reconnect: false });
    const phone = stack.device(1, { id: 'phone', type: 'phone', name: 'Phone' });
    for (const device of [...moving, stick, late, phone]) await device.signIn(holder.email, holder.password);
    await Promise.all([...moving, stick].map((device) => device.connect()));

    const closedAt = new Map<DeviceClient, { code: number; at: number }>();
    const back = moving.map((device) => new Promise<{ baseUrl: string; reconnect: boolean }>((resolve) => device.once('connected', resolve)));
    const stickOut: SignedOutEvent[] = [];
    stick.on('signed-out', (event) => stickOut.push(event));
    for (const device of [...moving, stick]) device.once('disconnected', ({ code }) => closedAt.set(device, { code, at: Date.now() }));
    await proxy.cut();

    const gateway = stack.stack.gateways[0].process;
    const signalledAt = Date.now();
    gateway.sendSignal('SIGTERM');
    const exited = gateway.exited().then((code) => ({ code, afterMs: Date.now() - signalledAt }));

    // Not ready at once, and no new channel while it drains.
    await expectEventually(async () => {
      const ready = await http(first, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.accepting).toBe(false);
    }, { timeoutMs: 3_000, intervalMs: 10 });
    const refused = await late.connect().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(503);

    // The devices come back on gateway 1, after a 1012 spread over the window.
    for (const arrival of await Promise.all(back)) expect(arrival).toEqual({ baseUrl: second, reconnect: true });
    for (const [index, id] of ['tv', 'tablet'].entries()) await expect(moving[index].whoami()).resolves.toMatchObject({ deviceId: id });
    await expectEventually(() => expect(closedAt.size).toBe(3));
    const closes = [...closedAt.values()];
    expect(closes.map((c) => c.code)).toEqual(Array(3).fill(DeviceChannelClose.serviceRestart.code));
    const spread = Math.max(...closes.map((c) => c.at)) - Math.min(...closes.map((c) => c.at));
    expect(spread).toBeGreaterThanOrEqual(DRAIN_WINDOW_MS / 2);
    expect(spread).toBeLessThan(DRAIN_WINDOW_MS + 1_000);

    // The stick, still between gateways, is signed out; gateway 1 knows before it reconnects.
    expect(stick.isSignedIn).toBe(true);
    const staleToken = stick.tokens!.accessToken;
    const { revocationId } = await phone.request<{ revocationId: string }>('POST', '/v1/devices/stick/sign-out');
    await expectEventually(async () => expect((await http(second, 'GET', '/v1/auth/whoami', { token: staleToken })).body.error?.code).toBe('SESSION_REVOKED'));
    expect(stickOut).toEqual([]);
    const stickClosed = new Promise<number>((resolve) => stick.once('connected', () => void stick.closed().then(({ code }) => resolve(code))));
    await proxy.restore();
    expect(await stickClosed).toBe(DeviceChannelClose.signedOut.code);
    expect(stickOut).toEqual([{ revocationId, reason: 'signed_out', via: 'websocket' }]);
    await expectEventually(async () => {
      const progress = await phone.request<{ devices: Array<{ deviceId: string; state: string }> }>('GET', `/v1/revocations/${revocationId}`);
      expect(progress.devices).toEqual([expect.objectContaining({ deviceId: 'stick', state: 'logged_out_on_reconnect' })]);
    });
    expect(stick.isSignedIn).toBe(false);

    // Gateway 0 is gone, cleanly and in bounded time.
    const { code, afterMs } = await exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(DRAIN_WINDOW_MS + 8_000);
    expect(stickOut).toHaveLength(1);
  });
});
