import { DeviceClient, SignedOutEvent } from '@signoff/device-client';
import { ChildServer, expectEventually, startNatsServer } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

type Progress = { completedAt: string | null; devices: Array<{ deviceId: string; state: string }> };

const HOUSEHOLDS_AFTER = 6;

/**
 * The broker loses its JetStream store (killed, data folder wiped, started again): the SECURITY
 * and PROGRESS streams come back empty, with sequence numbers starting over. Nothing revoked
 * before may come back, and revocations after it must reach every gateway, the registry's
 * record, and a gateway started after the loss.
 */
describe('NATS loses its stream data under the stack', () => {
  let nats: ChildServer;
  let stack: TestStack;

  beforeAll(async () => {
    nats = await startNatsServer();
    stack = await TestStack.start({ gateways: 2, env: { NATS_URL: nats.url, STREAM_CHECK_INTERVAL_MS: '500' } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await nats?.dispose();
  }, 60_000);

  async function refusedEverywhere(token: string): Promise<void> {
    for (const gateway of [0, 1]) {
      const refused = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token });
      expect({ gateway, status: refused.status, code: refused.body?.error?.code }).toEqual({ gateway, status: 401, code: 'SESSION_REVOKED' });
    }
  }

  async function allReady(): Promise<void> {
    const services = [stack.stack.auth, stack.stack.registry, ...stack.stack.gateways.map((g) => g.process)];
    await expectEventually(
      async () => {
        for (const { options } of services) {
          const status = (await fetch(options.readyUrl as string)).status;
          expect({ service: options.name, status }).toEqual({ service: options.name, status: 200 });
        }
      },
      { timeoutMs: 30_000 },
    );
  }

  /** The TV (connected to gateway 1) is signed out from the phone on gateway 0. */
  async function signOutTv(household: { tv: DeviceClient; phone: DeviceClient }): Promise<{ revocationId: string; token: string }> {
    const token = household.tv.tokens!.accessToken;
    const out = new Promise<SignedOutEvent>((resolve) => household.tv.once('signed-out', resolve));
    const { revocationId } = await household.phone.request<{ revocationId: string }>('POST', '/v1/devices/tv/sign-out');
    expect((await out).revocationId).toBe(revocationId);
    return { revocationId, token };
  }

  it('refuses what was revoked before, applies what is revoked after on every gateway, and a gateway started afterwards knows both', async () => {
    const earlier = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const revokedBefore = await signOutTv(earlier);
    await refusedEverywhere(revokedBefore.token);

    await nats.kill();
    nats.wipeData();
    await nats.start();
    const restartedAt = Date.now();
    await allReady();
    const readyAfterMs = Date.now() - restartedAt;

    // Revocations accepted after the loss are applied on the other gateway: its socket closes.
    const households: Array<{ tv: DeviceClient; phone: DeviceClient }> = [];
    for (let i = 0; i < HOUSEHOLDS_AFTER; i++) households.push(await stack.tvAndPhone({ tv: 1, phone: 0 }));
    const revokedAfter = [];
    for (const household of households) revokedAfter.push(await signOutTv(household));
    for (const { token } of [revokedBefore, ...revokedAfter]) await refusedEverywhere(token);

    // The registry follows the new streams (its consumers were recreated): progress is recorded.
    for (const [i, { revocationId }] of revokedAfter.entries()) {
      await expectEventually(
        async () => {
          const progress = await households[i].phone.request<Progress>('GET', `/v1/revocations/${revocationId}`);
          expect(progress.devices).toEqual([expect.objectContaining({ deviceId: 'tv', state: expect.stringMatching(/^(cut|acknowledged)$/) })]);
        },
        { timeoutMs: 15_000 },
      );
    }

    // A gateway started after the loss rebuilds from a stream younger than the token lifetime,
    // with auth-service's record: what was revoked before the loss stays refused there too.
    await stack.stack.gateways[1].process.stop();
    await stack.stack.gateways[1].process.start();
    for (const { token } of [revokedBefore, ...revokedAfter]) await refusedEverywhere(token);
    await expect(households[0].phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });

    console.log(
      `stream loss: ready ${readyAfterMs} ms after the broker came back; revocations accepted after ${revokedAfter.length}, applied on both gateways ${revokedAfter.length}, lost 0; revoked before and still refused after a gateway restart: 1 + ${revokedAfter.length}`,
    );
  });
});
