import { DeviceClient } from '@signoff/device-client';
import { expectEventually } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

const HEARTBEAT_TIMEOUT_SECONDS = 3;

/**
 * Stream limits per plan, held in Redis across both gateways: parallel starts admit exactly the
 * plan's limit; a stream whose heartbeats stop frees its place after the timeout (and not while
 * it beats); a signed-out device's streams free theirs at once.
 */
describe('stream limits (two gateways)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, env: { PLAYBACK_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS) } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  async function household(plan: 'basic' | 'standard' | 'premium', count: number): Promise<DeviceClient[]> {
    const holder = await stack.signUp(plan);
    const devices = Array.from({ length: count }, (_, i) => stack.device(i % 2, { id: `device-${i}`, type: 'tv', name: `TV ${i}` }));
    for (const device of devices) await device.signIn(holder.email, holder.password);
    return devices;
  }

  const start = (device: DeviceClient, gateway: number, titleId = 'title-1') =>
    http(stack.gateway(gateway), 'POST', '/v1/playback/sessions', { token: device.tokens!.accessToken, body: { titleId } });

  it.each([
    ['basic', 1],
    ['standard', 2],
    ['premium', 4],
  ] as const)('admits exactly the %s limit (%i) of 10 devices starting at once on both gateways', async (plan, limit) => {
    const devices = await household(plan, 10);
    const answers = await Promise.all(devices.map((device, i) => start(device, i % 2)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(limit);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.error.code])).toEqual(Array(10 - limit).fill([409, 'STREAM_LIMIT_REACHED']));
  });

  it(`frees the place of a stream whose heartbeats stop after ${HEARTBEAT_TIMEOUT_SECONDS} s, and not while it beats`, async () => {
    const [tv, phone] = await household('basic', 2);
    const { playbackId } = (await start(tv, 0)).body as { playbackId: string };

    // Beating every second for twice the timeout: the place stays taken.
    const until = Date.now() + HEARTBEAT_TIMEOUT_SECONDS * 2000;
    while (Date.now() < until) {
      expect((await tv.heartbeat(playbackId, 1000)) as unknown).toBeDefined();
      expect((await start(phone, 1)).status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    // The TV goes quiet: within the timeout (and a little) the phone may start.
    const quietSince = Date.now();
    const started = await expectEventually(
      async () => {
        const answer = await start(phone, 1);
        expect(answer.status).toBe(201);
        return Date.now();
      },
      { timeoutMs: HEARTBEAT_TIMEOUT_SECONDS * 1000 + 5_000, intervalMs: 200 },
    );
    expect(started - quietSince).toBeGreaterThanOrEqual(HEARTBEAT_TIMEOUT_SECONDS * 1000 - 1_200);
    // The timed-out stream is gone: its next heartbeat is refused.
    const late = await http(stack.gateway(0), 'POST', `/v1/playback/sessions/${playbackId}/heartbeat`, { token: tv.tokens!.accessToken, body: { positionMs: 5, state: 'playing' } });
    expect({ status: late.status, code: late.body.error.code }).toEqual({ status: 404, code: 'PLAYBACK_NOT_FOUND' });
  });

  it("frees a signed-out device's place at once", async () => {
    const [tv, phone] = await household('basic', 2);
    const { playbackId } = (await start(tv, 0)).body as { playbackId: string };
    expect((await start(phone, 1)).status).toBe(409);

    const signedOutAt = Date.now();
    const signOut = await http(stack.gateway(1), 'POST', '/v1/devices/device-0/sign-out', { token: phone.tokens!.accessToken });
    expect(signOut.status).toBe(202);
    const startedAt = await expectEventually(
      async () => {
        expect((await start(phone, 1)).status).toBe(201);
        return Date.now();
      },
      { timeoutMs: 2_000, intervalMs: 20 },
    );
    // Far inside the heartbeat timeout: the revocation freed it, not the clock.
    expect(startedAt - signedOutAt).toBeLessThan(HEARTBEAT_TIMEOUT_SECONDS * 1000);
    process.stdout.write(`stream place freed ${startedAt - signedOutAt} ms after the sign-out call\n`);
    const beat = await http(stack.gateway(0), 'POST', `/v1/playback/sessions/${playbackId}/heartbeat`, { token: tv.tokens!.accessToken, body: { positionMs: 5, state: 'playing' } });
    expect({ status: beat.status, code: beat.body.error.code }).toEqual({ status: 401, code: 'SESSION_REVOKED' });
  });
});
