import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RotateSigningKeysReply, RpcSubject } from '@signoff/contracts';
import { createRpcClient, RpcClient } from '@signoff/service-kit';
import { expectEventually } from '@signoff/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { http, TestStack } from './support/test-stack';

/** Short for the test, long enough that a loaded 2-core machine still delivers the event first. */
const LEAD_SECONDS = 3;
/** How long devices keep calling after the new key activated. */
const AFTER_ACTIVATION_MS = 2_000;
/** The loop's hard bound, whatever happens. */
const LOOP_LIMIT_MS = 12_000;

interface Call {
  device: string;
  gateway: number;
  /** `current`: the device's newest token; `old`: the one it held before the rotation. */
  token: 'current' | 'old';
  kid: string;
  status: number;
  code?: string;
}

interface Mint {
  device: string;
  kid: string;
  iatMs: number;
  requestedAt: number;
  receivedAt: number;
}

/**
 * SECURITY, fault "key rotation under load: no spurious 401 during the overlap". Devices keep
 * refreshing and calling `whoami` on both gateways while an operator rotates the signing key
 * (publish lead 3 s): every call succeeds, tokens minted after activation carry the new `kid`
 * and pass on both gateways, tokens minted before keep passing, and both gateways had loaded
 * the new key (on the rotation event) before its first token was signed.
 */
describe('signing-key rotation under load (two gateways)', () => {
  let stack: TestStack;
  let operator: RpcClient;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, env: { SIGNING_KEY_PUBLISH_LEAD_SECONDS: String(LEAD_SECONDS), ACCESS_TOKEN_TTL_SECONDS: '60' } });
    const { NATS_URL, NATS_NAMESPACE } = stack.stack.auth.options.env;
    operator = await createRpcClient({ natsUrl: NATS_URL, namespace: NATS_NAMESPACE, name: 'e2e-operator', timeoutMs: 5_000 });
  }, 120_000);

  afterAll(async () => {
    await operator?.close();
    await stack?.stop();
  }, 60_000);

  const kidOf = (token: string) => String(decodeProtectedHeader(token).kid);

  it('answers every call with 200 while the key rotates, and signs with the new key only from its activation', async () => {
    const holder = await stack.signUp();
    const devices = (['tv', 'phone', 'tablet', 'computer'] as const).map((type, index) => ({
      id: `${type}-1`,
      client: stack.device(index % 2, { id: `${type}-1`, type, name: type }),
      oldToken: '',
    }));
    for (const device of devices) {
      await device.client.signIn(holder.email, holder.password);
      device.oldToken = device.client.tokens!.accessToken;
    }
    const oldKid = kidOf(devices[0].oldToken);

    const calls: Call[] = [];
    const mints: Mint[] = [];
    /** Set once the operator's call returns; the devices stop a while after the key activated. */
    const operatorSaw: { rotation?: RotateSigningKeysReply } = {};
    const started = Date.now();
    const done = () => {
      const { rotation } = operatorSaw;
      return Date.now() - started > LOOP_LIMIT_MS || (rotation !== undefined && Date.now() > Date.parse(rotation.activatesAt) + AFTER_ACTIVATION_MS);
    };

    async function whoami(device: string, gateway: number, token: string, kind: Call['token']): Promise<void> {
      const response = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token });
      calls.push({ device, gateway, token: kind, kid: kidOf(token), status: response.status, code: response.body?.error?.code });
    }

    /** One device: a fresh token through its gateway, then both tokens on both gateways, again and again. */
    async function keepCalling(device: (typeof devices)[number]): Promise<void> {
      while (!done()) {
        const requestedAt = Date.now();
        await device.client.refresh();
        const token = device.client.tokens!.accessToken;
        mints.push({ device: device.id, kid: kidOf(token), iatMs: Number(decodeJwt(token).iat) * 1000, requestedAt, receivedAt: Date.now() });
        await Promise.all([0, 1].flatMap((gateway) => [whoami(device.id, gateway, token, 'current'), whoami(device.id, gateway, device.oldToken, 'old')]));
      }
    }

    const load = Promise.all(devices.map((device) => keepCalling(device)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rotation = (operatorSaw.rotation = await operator.call(RpcSubject.rotateSigningKeys, {}));
    await load;

    const activatesAt = Date.parse(rotation.activatesAt);
    expect(rotation.created).toBe(true);
    expect(rotation.kid).not.toBe(oldKid);
    expect(Date.now()).toBeGreaterThan(activatesAt + AFTER_ACTIVATION_MS);

    // Not one spurious refusal, on either gateway, for old or new tokens.
    expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    for (const gateway of [0, 1]) {
      expect(calls.filter((c) => c.gateway === gateway && c.kid === rotation.kid).length).toBeGreaterThan(4);
      expect(calls.filter((c) => c.gateway === gateway && c.token === 'old' && c.kid === oldKid && c.status === 200).length).toBeGreaterThan(4);
    }

    // The signer switched at activation: before it only the old key, well after it only the new.
    expect(mints.filter((m) => m.receivedAt < activatesAt).every((m) => m.kid === oldKid)).toBe(true);
    expect(mints.filter((m) => m.kid === rotation.kid).every((m) => m.iatMs >= Math.floor(activatesAt / 1000) * 1000)).toBe(true);
    const late = mints.filter((m) => m.requestedAt > activatesAt + 250);
    expect(late.length).toBeGreaterThan(4);
    expect(late.filter((m) => m.kid !== rotation.kid)).toEqual([]);

    // The overlap: the old key is still published and its tokens still pass, everywhere.
    expect((await operator.call(RpcSubject.listSigningKeys, {})).keys.map((k) => k.kid)).toEqual([rotation.kid, oldKid]);
    for (const device of devices) {
      for (const gateway of [0, 1]) expect((await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: device.oldToken })).status).toBe(200);
    }

    // Each gateway loaded the new key on the rotation event, before the key signed anything.
    for (const gateway of stack.stack.gateways) {
      const reloadedAt = await expectEventually(() => {
        const line = readFileSync(join(stack.logDir, `${gateway.name}.log`), 'utf8')
          .split('\n')
          .filter((l) => l.includes('SigningKeysRefresher') && l.includes(`reloaded on rotation: kid=${rotation.kid}`))[0];
        expect(line).toBeDefined();
        return (JSON.parse(line) as { time: number }).time;
      });
      expect({ gateway: gateway.name, beforeActivation: reloadedAt < activatesAt }).toEqual({ gateway: gateway.name, beforeActivation: true });
    }
  });
});
