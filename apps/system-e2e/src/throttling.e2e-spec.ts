import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { TestStack } from './support/test-stack';

/** Small limits, so each one is reached in a few calls. */
const LIMITS = {
  THROTTLE_LOGIN_PER_ACCOUNT: 3,
  THROTTLE_LOGIN_PER_ADDRESS: 6,
  THROTTLE_STEP_UP_PER_SESSION: 2,
  THROTTLE_SIGN_UP_PER_ADDRESS: 3,
  THROTTLE_LINK_TOKEN_PER_ADDRESS: 2,
};
/** The default windows (the limits' numbers are what the tests change). */
const WINDOW_SECONDS = { login: 15 * 60, stepUp: 15 * 60, signUp: 60 * 60, linkToken: 60 * 60 };

interface Answer {
  status: number;
  body: any;
  retryAfter: string | undefined;
}

/**
 * Guessing is throttled per account and per source address on both gateways, shared through
 * Redis. Every client address below is a loopback address of its own (127.0.0.0/8), so the
 * gateways really see different sources, as Express reports them (`request.ip`).
 */
describe('throttling of sign-in, step-up, sign-up and emailed links (two gateways)', () => {
  let stack: TestStack;
  let lastHost = 0;
  /** A source address no other test uses. */
  const source = () => `127.77.${Math.floor(++lastHost / 250)}.${(lastHost % 250) + 1}`;
  const email = () => `holder-${randomBytes(5).toString('hex')}@signoff.test`;
  const device = (id: string) => ({ id, type: 'phone', name: `Phone ${id}` });

  /** One HTTP call from the given source address. */
  function call(gateway: number, method: string, path: string, options: { from: string; body?: unknown; token?: string }): Promise<Answer> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, stack.gateway(gateway)), { method, headers, localAddress: options.from, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  const login = (gateway: number, from: string, emailAddress: string, password: string, deviceId = 'phone') =>
    call(gateway, 'POST', '/v1/auth/login', { from, body: { email: emailAddress, password, device: device(deviceId) } });

  async function signUp(from = source()): Promise<{ email: string; password: string }> {
    const account = { email: email(), password: `pw-${randomBytes(9).toString('hex')}` };
    const answer = await call(0, 'POST', '/v1/accounts', { from, body: account });
    expect(answer.status).toBe(201);
    return account;
  }

  function expectRateLimited(answer: Answer, windowSeconds = WINDOW_SECONDS.login): void {
    expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(windowSeconds);
  }

  /** Wrong passwords for one email, each from a different address, alternating gateways. */
  async function guess(emailAddress: string, attempts: number): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let i = 0; i < attempts; i++) answers.push(await login(i % 2, source(), emailAddress, 'not-the-password'));
    return answers;
  }

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, env: Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)])) });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('refuses sign-in to an account after exactly THROTTLE_LOGIN_PER_ACCOUNT failures spread over both gateways, whatever the address', async () => {
    const holder = await signUp();
    const answers = await guess(holder.email, LIMITS.THROTTLE_LOGIN_PER_ACCOUNT + 1);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    for (const failure of answers.slice(0, -1)) expect(failure.body.error.code).toBe('INVALID_CREDENTIALS');
    expectRateLimited(answers[3]);
    // Even the right password is refused now, on either gateway: auth-service is not asked.
    for (const gateway of [0, 1]) expectRateLimited(await login(gateway, source(), holder.email, holder.password));
    expectRateLimited(await login(0, source(), `  ${holder.email.toUpperCase()} `, holder.password));
  });

  it('answers an unknown email exactly as a known one: same count, same statuses, same bodies', async () => {
    const known = await guess((await signUp()).email, LIMITS.THROTTLE_LOGIN_PER_ACCOUNT + 2);
    const unknown = await guess(email(), LIMITS.THROTTLE_LOGIN_PER_ACCOUNT + 2);
    const shape = (answers: Answer[]) => answers.map((a) => ({ status: a.status, body: a.body, retryAfter: a.retryAfter !== undefined }));
    expect(shape(unknown)).toEqual(shape(known));
    expect(unknown.map((a) => a.status)).toEqual([401, 401, 401, 429, 429]);
  });

  it('still signs in another account, and never counts successful sign-ins', async () => {
    const locked = await signUp();
    await guess(locked.email, LIMITS.THROTTLE_LOGIN_PER_ACCOUNT + 1);
    const other = await signUp();
    const from = source();
    // More successes from one address than either limit allows failures.
    for (let i = 0; i < LIMITS.THROTTLE_LOGIN_PER_ADDRESS + 2; i++) {
      const answer = await login(i % 2, from, other.email, other.password, `device-${i}`);
      expect({ i, status: answer.status }).toEqual({ i, status: 200 });
      expect(answer.body.accessToken).toEqual(expect.any(String));
    }
    const wrong = await login(0, from, other.email, 'not-the-password');
    expect({ status: wrong.status, code: wrong.body.error.code }).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expectRateLimited(await login(1, source(), locked.email, locked.password));
  });

  it('refuses sign-in from an address after exactly THROTTLE_LOGIN_PER_ADDRESS failures, whatever the emails', async () => {
    const other = await signUp();
    const from = source();
    for (let i = 0; i < LIMITS.THROTTLE_LOGIN_PER_ADDRESS; i++) {
      const answer = await login(i % 2, from, email(), 'not-the-password');
      expect({ i, status: answer.status }).toEqual({ i, status: 401 });
    }
    expectRateLimited(await login(0, from, email(), 'not-the-password'));
    // From that address even a good sign-in waits; from another it goes through.
    expectRateLimited(await login(1, from, other.email, other.password));
    expect((await login(1, source(), other.email, other.password)).status).toBe(200);
  });

  it('refuses sign-up from an address after exactly THROTTLE_SIGN_UP_PER_ADDRESS attempts', async () => {
    const from = source();
    const taken = email();
    const answers: Answer[] = [];
    // Every sign-up counts, for a free address or a taken one (which answers the same 201).
    for (const address of [taken, taken, email(), email()]) {
      answers.push(await call(answers.length % 2, 'POST', '/v1/accounts', { from, body: { email: address, password: 'long-enough-pw' } }));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expectRateLimited(answers[3], WINDOW_SECONDS.signUp);
    expect((await call(1, 'POST', '/v1/accounts', { from: source(), body: { email: email(), password: 'long-enough-pw' } })).status).toBe(201);
  });

  it('refuses step-up in a session after exactly THROTTLE_STEP_UP_PER_SESSION failures; another session is not affected', async () => {
    const holder = await signUp();
    const phone = (await login(0, source(), holder.email, holder.password, 'phone')).body.accessToken as string;
    const tv = (await login(1, source(), holder.email, holder.password, 'tv')).body.accessToken as string;
    const from = source();
    const stepUp = (gateway: number, token: string, password: string) => call(gateway, 'POST', '/v1/auth/step-up', { from, token, body: { password } });

    // A success does not count.
    expect((await stepUp(0, phone, holder.password)).status).toBe(200);
    const failures = [await stepUp(1, phone, 'not-the-password'), await stepUp(0, phone, 'not-the-password')];
    expect(failures.map((a) => ({ status: a.status, code: a.body.error.code }))).toEqual(Array(2).fill({ status: 403, code: 'STEP_UP_FAILED' }));
    expectRateLimited(await stepUp(1, phone, holder.password), WINDOW_SECONDS.stepUp);

    const other = await stepUp(0, tv, holder.password);
    expect(other.status).toBe(200);
    expect(other.body.reauthToken).toEqual(expect.any(String));
  });

  it('refuses emailed-link tokens ("this wasn\'t me", password reset) from an address after exactly THROTTLE_LINK_TOKEN_PER_ADDRESS bad ones', async () => {
    const from = source();
    const notMe = (gateway: number, address: string) => call(gateway, 'POST', '/v1/auth/not-me', { from: address, body: { token: `nm_${randomBytes(32).toString('base64url')}` } });
    const resetConfirm = (gateway: number, address: string) =>
      call(gateway, 'POST', '/v1/auth/password-reset/confirm', { from: address, body: { token: `pr_${randomBytes(32).toString('base64url')}`, newPassword: 'a new passphrase 42' } });

    const bad = [await notMe(0, from), await resetConfirm(1, from)];
    expect(bad.map((a) => ({ status: a.status, code: a.body.error.code }))).toEqual([
      { status: 400, code: 'NOT_ME_TOKEN_INVALID' },
      { status: 400, code: 'RESET_TOKEN_INVALID' },
    ]);
    // One count for both kinds of link, on both gateways.
    expectRateLimited(await notMe(1, from), WINDOW_SECONDS.linkToken);
    expectRateLimited(await resetConfirm(0, from), WINDOW_SECONDS.linkToken);
    // Another address is not affected.
    expect((await notMe(0, source())).status).toBe(400);
  });
});
