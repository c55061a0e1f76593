import { randomBytes } from 'node:crypto';
import { http, TestStack } from './support/test-stack';

/** Small limits, so the abuser reaches them in a few calls. */
const LIMITS = { THROTTLE_LOGIN_PER_ACCOUNT: 3, THROTTLE_LOGIN_PER_ADDRESS: 4 };

/**
 * Sign-in from behind a shared address (an office NAT, a carrier's CGNAT) that reaches the
 * gateways through a trusted proxy, as in the Kubernetes manifest: every request comes from the
 * proxy (127.0.0.1 here, TRUSTED_PROXIES=loopback) and the client's address is the one the proxy
 * appends to `X-Forwarded-For`. An abuser behind the same address who uses up the per-address
 * limit with wrong passwords must not lock out a holder who signs in from there with the right
 * password; a guesser behind it is still refused, and learns nothing from the answers.
 */
describe('sign-in from a shared address, behind a trusted proxy (two gateways)', () => {
  let stack: TestStack;
  let lastHost = 0;
  /** A public address no other test uses: one NAT. */
  const nat = () => `203.0.113.${++lastHost}`;
  const email = () => `nobody-${randomBytes(5).toString('hex')}@signoff.test`;

  const login = (gateway: number, from: string, emailAddress: string, password: string, deviceId = 'phone') =>
    http(stack.gateway(gateway), 'POST', '/v1/auth/login', {
      body: { email: emailAddress, password, device: { id: deviceId, type: 'phone', name: `Phone ${deviceId}` } },
      headers: { 'X-Forwarded-For': from },
    });

  /** What a client can tell apart: status, body, and whether it is told to wait. */
  const seen = (answer: Awaited<ReturnType<typeof login>>) => ({ status: answer.status, body: answer.body, waits: answer.headers.get('retry-after') !== null });

  /** The abuser: wrong passwords for made-up emails from `from` until the address is refused. */
  async function exhaust(from: string): Promise<void> {
    for (let i = 0; i < LIMITS.THROTTLE_LOGIN_PER_ADDRESS; i++) {
      const answer = await login(i % 2, from, email(), 'not-the-password');
      expect({ i, status: answer.status }).toEqual({ i, status: 401 });
    }
    const refused = await login(0, from, email(), 'not-the-password');
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  }

  beforeAll(async () => {
    stack = await TestStack.start({
      gateways: 2,
      env: {
        TRUSTED_PROXIES: 'loopback',
        THROTTLE_SIGN_UP_PER_ADDRESS: '100',
        ...Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)])),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('lets a holder who signed in from the address before sign in again after an abuser used up its limit; a newcomer and a guesser wait', async () => {
    const holder = await stack.signUp();
    const newcomer = await stack.signUp();
    const office = nat();
    expect((await login(0, office, holder.email, holder.password)).status).toBe(200);

    await exhaust(office);

    // The holder, on either gateway and with another device too, gets in.
    for (const [gateway, deviceId] of [[1, 'phone'], [0, 'laptop']] as const) {
      const answer = await login(gateway, office, holder.email, holder.password, deviceId);
      expect({ gateway, status: answer.status }).toEqual({ gateway, status: 200 });
      expect(answer.body.accessToken).toEqual(expect.any(String));
    }
    // Another spelling of the email is the same account.
    expect((await login(1, office, `  ${holder.email.toUpperCase()} `, holder.password, 'tablet')).status).toBe(200);

    // Someone who never signed in from there waits, even with the right password.
    const refused = await login(0, office, newcomer.email, newcomer.password);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    // A guesser gets the same answer for the holder's email as for an unknown one (and for the newcomer's).
    const guesses = [await login(1, office, holder.email, 'not-the-password'), await login(1, office, email(), 'not-the-password'), await login(0, office, newcomer.email, 'wrong')];
    expect(guesses.map(seen)).toEqual(Array(3).fill({ status: 429, body: guesses[1].body, waits: true }));
    expect(guesses[1].body.error.code).toBe('RATE_LIMITED');

    // The newcomer is not refused from another address: the limit is the address's.
    expect((await login(1, nat(), newcomer.email, newcomer.password)).status).toBe(200);
  });

  it('still counts every wrong password for the holder per account: the guesser is bounded, and answered like everyone else', async () => {
    const holder = await stack.signUp();
    const office = nat();
    expect((await login(0, office, holder.email, holder.password)).status).toBe(200);
    await exhaust(office);

    // Wrong passwords for the holder's email from the exhausted address: refused like any other
    // email, yet each one counts against the account.
    for (let i = 0; i < LIMITS.THROTTLE_LOGIN_PER_ACCOUNT; i++) {
      const answer = await login(i % 2, office, holder.email, `guess-${i}`);
      expect({ i, status: answer.status, code: answer.body.error.code }).toEqual({ i, status: 429, code: 'RATE_LIMITED' });
    }
    // The account's limit is reached: now even the right password waits, from anywhere.
    for (const from of [office, nat()]) {
      const answer = await login(1, from, holder.email, holder.password);
      expect({ from, status: answer.status, code: answer.body.error?.code }).toEqual({ from, status: 429, code: 'RATE_LIMITED' });
    }
  });
});
