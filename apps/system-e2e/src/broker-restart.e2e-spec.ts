import { SignedOutEvent } from '@signoff/device-client';
import { ChildServer, expectEventually, startNatsServer } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

type Progress = { completedAt: string | null; devices: Array<{ deviceId: string; state: string; at: string }> };
type History = { entries: Array<{ kind: string; at: string }> };

/**
 * The broker is killed (SIGKILL) and restarted under a running stack after every consumer has
 * acknowledged a revocation. Redelivery must not apply anything twice, and the stack must keep
 * signing devices out afterwards.
 */
describe('NATS killed and restarted under the stack', () => {
  let nats: ChildServer;
  let stack: TestStack;

  beforeAll(async () => {
    nats = await startNatsServer();
    stack = await TestStack.start({ gateways: 2, env: { NATS_URL: nats.url } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await nats?.dispose();
  }, 60_000);

  it('applies nothing twice after redelivery and keeps working', async () => {
    const holder = await stack.signUp();
    const tv = stack.device(0, { id: 'tv', type: 'tv', name: 'TV' });
    const phone = stack.device(1, { id: 'phone', type: 'phone', name: 'Phone' });
    const laptop = stack.device(1, { id: 'laptop', type: 'computer', name: 'Laptop' });
    for (const client of [tv, phone, laptop]) await client.signIn(holder.email, holder.password);
    await tv.connect();
    const tvToken = tv.tokens!.accessToken;
    const tvOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));
    const { revocationId } = await laptop.request<{ revocationId: string }>('POST', '/v1/devices/tv/sign-out');
    expect((await tvOut).revocationId).toBe(revocationId);

    const settled = await expectEventually(async () => {
      const p = await laptop.request<Progress>('GET', `/v1/revocations/${revocationId}`);
      expect(p.devices).toEqual([expect.objectContaining({ deviceId: 'tv', state: 'acknowledged' })]);
      expect(p.completedAt).not.toBeNull();
      return p;
    });
    const historyBefore = await laptop.request<History>('GET', '/v1/devices/tv/history');

    await nats.kill();
    await nats.start();
    for (const gateway of [0, 1]) {
      await expectEventually(async () => expect((await http(stack.gateway(gateway), 'GET', '/health/ready')).status).toBe(200), {
        timeoutMs: 20_000,
      });
    }

    // Whatever JetStream redelivers, the record is unchanged.
    await expectEventually(async () => {
      expect(await laptop.request<Progress>('GET', `/v1/revocations/${revocationId}`)).toEqual(settled);
      expect(await laptop.request<History>('GET', '/v1/devices/tv/history')).toEqual(historyBefore);
    }, { timeoutMs: 10_000 });
    // The revoked token stays refused on both gateways; the others still work.
    for (const gateway of [0, 1]) {
      const refused = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: tvToken });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('SESSION_REVOKED');
    }
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });

    // And a new revocation after the restart goes all the way through.
    await phone.connect();
    const phoneOut = new Promise<SignedOutEvent>((resolve) => phone.once('signed-out', resolve));
    const second = await laptop.request<{ revocationId: string }>('POST', '/v1/devices/phone/sign-out');
    expect((await phoneOut).revocationId).toBe(second.revocationId);
  });
});
