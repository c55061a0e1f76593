import { Logger } from '@nestjs/common';
import { SignoffError } from '@signoff/contracts';
import { loadConfig } from '@signoff/service-kit';
import { ChildServer, expectEventually, startRedisServer, testServers } from '@signoff/testing';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { GatewayConfig } from '../config/gateway.config';
import { REDIS } from '@signoff/platform';
import { GatewayTestModule } from '../testing/gateway-test-module';
import { knownAddressKey } from './known-addresses';
import { addressSubject, emailSubject, knownAddressSubject } from './throttle-subjects';
import { Admission, Throttle } from './throttle.service';
import { ThrottlingModule } from './throttling.module';

/** Small numbers, so each limit is reached in a few calls. */
const SMALL = {
  THROTTLE_LOGIN_PER_ACCOUNT: '3',
  THROTTLE_LOGIN_PER_ADDRESS: '5',
  THROTTLE_STEP_UP_PER_SESSION: '2',
  THROTTLE_SIGN_UP_PER_ADDRESS: '2',
  THROTTLE_RESET_PER_EMAIL: '2',
  THROTTLE_RESET_PER_ADDRESS: '4',
};
const smallConfig = (): GatewayConfig => loadConfig(GatewayConfig, SMALL);

const email = () => `holder-${randomBytes(5).toString('hex')}@signoff.test`;
let lastOctet = 0;
/** A fresh source address, so the per-address count stays out of the way unless a test wants it. */
const address = () => `198.51.${Math.floor(++lastOctet / 250)}.${(lastOctet % 250) + 1}`;

type Outcome = 'ADMITTED' | string;
async function outcome(attempt: Promise<Admission>): Promise<Outcome> {
  try {
    await attempt;
    return 'ADMITTED';
  } catch (error) {
    return error instanceof SignoffError ? error.code : `unexpected ${String(error)}`;
  }
}
async function outcomes(attempts: Array<() => Promise<Admission>>): Promise<Outcome[]> {
  const results: Outcome[] = [];
  for (const attempt of attempts) results.push(await outcome(attempt()));
  return results;
}
const times = (n: number, value: Outcome): Outcome[] => Array.from({ length: n }, () => value);
async function refusal(attempt: Promise<Admission>): Promise<SignoffError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SignoffError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('Throttle on real Redis', () => {
  let gateway: GatewayTestModule;
  /** The gateway's own shared client (keyPrefix, command timeout, no offline queue). */
  let shared: Redis;
  /** A client without a prefix, to see the keys as Redis stores them. */
  let raw: Redis;
  let prefix: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    gateway = await GatewayTestModule.start([ThrottlingModule]);
    shared = gateway.app.get<Redis>(REDIS);
    // Until the client is ready every check is counted in memory (no offline queue).
    await expectEventually(() => expect(shared.status).toBe('ready'));
    prefix = gateway.config.REDIS_KEY_PREFIX;
    raw = new Redis((await testServers()).redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    raw?.disconnect();
    await gateway?.stop();
  });

  it('admits exactly THROTTLE_LOGIN_PER_ACCOUNT failed sign-ins per account, then refuses with a time to wait', async () => {
    const throttle = gateway.get(Throttle);
    const limit = gateway.config.THROTTLE_LOGIN_PER_ACCOUNT;
    const holder = email();
    expect(await outcomes(Array.from({ length: limit }, () => () => throttle.login(holder, address())))).toEqual(times(limit, 'ADMITTED'));

    const error = await refusal(throttle.login(holder, address()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.details.retryAfterSeconds).toBeLessThanOrEqual(gateway.config.THROTTLE_LOGIN_WINDOW_SECONDS);
    // Another spelling is the same account.
    expect(await outcome(throttle.login(`  ${holder.toUpperCase()} `, address()))).toBe('RATE_LIMITED');
    // Another account is untouched.
    expect(await outcome(throttle.login(email(), address()))).toBe('ADMITTED');
  });

  it('writes its keys under the deployment prefix exactly once, with the email hashed and a window that expires', async () => {
    const throttle = gateway.get(Throttle);
    const holder = email();
    await throttle.login(holder, '203.0.113.9');

    const keys = await raw.keys(`${prefix}throttle:*${emailSubject(holder)}`);
    expect(keys).toEqual([`${prefix}throttle:login:account:${emailSubject(holder)}`]);
    expect(await raw.exists(`${prefix}throttle:login:address:203.0.113.9`)).toBe(1);
    expect(await raw.keys(`${prefix}${prefix}*`)).toEqual([]);
    expect(await raw.keys(`rlflx*`)).toEqual([]);
    const everything = await raw.keys(`${prefix}*`);
    expect(everything.length).toBeGreaterThan(1);
    expect(everything.filter((key) => key.includes('signoff.test'))).toEqual([]);
    const ttl = await raw.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(gateway.config.THROTTLE_LOGIN_WINDOW_SECONDS * 1000);
  });

  it('does not count successful sign-ins', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const holder = email();
    const from = address();
    for (let i = 0; i < 8; i++) await (await throttle.login(holder, from)).succeeded();
    expect(await outcomes(times(4, '').map(() => () => throttle.login(holder, from)))).toEqual([...times(3, 'ADMITTED'), 'RATE_LIMITED']);
  });

  it('counts failed sign-ins per source address whatever the email, and refuses the next one', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const from = address();
    expect(await outcomes(times(6, '').map(() => () => throttle.login(email(), from)))).toEqual([...times(5, 'ADMITTED'), 'RATE_LIMITED']);
    expect(await outcome(throttle.login(email(), address()))).toBe('ADMITTED');
  });

  it('charges a refused attempt to no count: hammering a locked account does not use up the address', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const locked = email();
    await outcomes(times(3, '').map(() => () => throttle.login(locked, address())));
    const from = address();
    expect(await outcomes(times(10, '').map(() => () => throttle.login(locked, from)))).toEqual(times(10, 'RATE_LIMITED'));
    await expectEventually(async () => expect(await raw.get(`${prefix}throttle:login:address:${from}`)).toBe('0'));
    expect(await outcomes(times(6, '').map(() => () => throttle.login(email(), from)))).toEqual([...times(5, 'ADMITTED'), 'RATE_LIMITED']);
  });

  it('lets an account that signed in from an address past that address’s limit, on a record kept under the prefix without the email', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const holder = email();
    const from = address();
    await (await throttle.login(holder, from)).succeeded();
    const key = `${prefix}${knownAddressKey(knownAddressSubject(emailSubject(holder), addressSubject(from)))}`;
    expect(await raw.get(key)).toBe('1');
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(gateway.config.THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(gateway.config.THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS);
    expect(key).not.toContain('signoff.test');

    // Failures of others use the address up: new accounts wait, the holder does not.
    expect(await outcomes(times(6, '').map(() => () => throttle.login(email(), from)))).toEqual([...times(5, 'ADMITTED'), 'RATE_LIMITED']);
    expect(await outcome(throttle.login(holder, from))).toBe('ADMITTED');
    expect(await outcome(throttle.login(holder, address()))).toBe('ADMITTED');
    // Its own limit (3) is reached with the two failures above and one more.
    expect(await outcomes(times(2, '').map(() => () => throttle.login(holder, from)))).toEqual(['ADMITTED', 'RATE_LIMITED']);
  });

  it('remembers no address when THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS is 0', async () => {
    const throttle = Throttle.onRedis(shared, loadConfig(GatewayConfig, { ...SMALL, THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS: '0' }));
    const holder = email();
    const from = address();
    await (await throttle.login(holder, from)).succeeded();
    expect(await raw.exists(`${prefix}${knownAddressKey(knownAddressSubject(emailSubject(holder), addressSubject(from)))}`)).toBe(0);
    await outcomes(times(5, '').map(() => () => throttle.login(email(), from)));
    expect(await outcome(throttle.login(holder, from))).toBe('RATE_LIMITED');
  });

  it('admits no more than the limit out of 20 parallel attempts', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const holder = email();
    const results = await Promise.all(Array.from({ length: 20 }, () => outcome(throttle.login(holder, address()))));
    expect(results.filter((r) => r === 'ADMITTED')).toHaveLength(3);
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(17);
  });

  it('shares one count between two gateways', async () => {
    const second = new Redis({ ...shared.options, lazyConnect: false });
    try {
      // Until its client is ready a gateway counts in memory (no offline queue): wait for it.
      await expectEventually(() => expect(second.status).toBe('ready'));
      const [a, b] = [Throttle.onRedis(shared, smallConfig()), Throttle.onRedis(second, smallConfig())];
      const holder = email();
      expect(await outcomes([a, b, a, b].map((t) => () => t.login(holder, address())))).toEqual([...times(3, 'ADMITTED'), 'RATE_LIMITED']);
      expect(await outcome(a.login(holder, address()))).toBe('RATE_LIMITED');
    } finally {
      second.disconnect();
    }
  });

  it('counts failed step-ups per account and session', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    await (await throttle.stepUp('account-1', 'session-1')).succeeded();
    expect(await outcomes(times(3, '').map(() => () => throttle.stepUp('account-1', 'session-1')))).toEqual([...times(2, 'ADMITTED'), 'RATE_LIMITED']);
    expect(await outcome(throttle.stepUp('account-1', 'session-2'))).toBe('ADMITTED');
  });

  it('counts every sign-up per source address, successful or not', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const from = address();
    await (await throttle.signUp(from)).succeeded();
    await (await throttle.signUp(from)).succeeded();
    expect(await outcome(throttle.signUp(from))).toBe('RATE_LIMITED');
    expect(await outcome(throttle.signUp(address()))).toBe('ADMITTED');
  });

  it('counts password-reset requests per email and per source address', async () => {
    const throttle = Throttle.onRedis(shared, smallConfig());
    const holder = email();
    expect(await outcomes(times(3, '').map(() => () => throttle.passwordResetRequest(holder, address())))).toEqual([...times(2, 'ADMITTED'), 'RATE_LIMITED']);
    const from = address();
    expect(await outcomes(times(5, '').map(() => () => throttle.passwordResetRequest(email(), from)))).toEqual([...times(4, 'ADMITTED'), 'RATE_LIMITED']);
  });
});

describe('Throttle when Redis fails', () => {
  let gateway: GatewayTestModule;
  let redis: ChildServer;
  let clients: Redis[];
  let a: Throttle;
  let b: Throttle;
  let prefix: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    // Only for the shared client's options; the throttles below run on a Redis of their own.
    gateway = await GatewayTestModule.start([]);
    prefix = gateway.config.REDIS_KEY_PREFIX;
    redis = await startRedisServer();
    const options = { ...gateway.app.get<Redis>(REDIS).options, host: '127.0.0.1', port: redis.port, lazyConnect: false };
    clients = [new Redis(options), new Redis(options)];
    // Connection errors are the point of these tests; keep ioredis from printing each one.
    for (const client of clients) client.on('error', () => undefined);
    await expectEventually(() => expect(clients.map((c) => c.status)).toEqual(['ready', 'ready']));
    [a, b] = clients.map((client) => Throttle.onRedis(client, smallConfig()));
  });

  afterAll(async () => {
    for (const client of clients ?? []) client.disconnect();
    await redis?.dispose();
    await gateway?.stop();
  });

  /** Every attempt answers within a second (the command timeout is 500 ms). */
  async function timed(attempt: () => Promise<Admission>): Promise<Outcome> {
    const started = Date.now();
    const result = await outcome(attempt());
    expect(Date.now() - started).toBeLessThan(1_000);
    return result;
  }

  it('keeps limiting per process while Redis is down, answers fast, and counts in Redis again once it is back', async () => {
    const before = email();
    expect(await outcome(a.login(before, address()))).toBe('ADMITTED');
    expect(await outcome(b.login(before, address()))).toBe('ADMITTED');

    await redis.kill();
    // Down: each process counts on its own, with the same policy; never unlimited, never an error.
    const down = email();
    for (const throttle of [a, b]) {
      const results: Outcome[] = [];
      for (let i = 0; i < 6; i++) results.push(await timed(() => throttle.login(down, address())));
      expect(results).toEqual([...times(3, 'ADMITTED'), ...times(3, 'RATE_LIMITED')]);
    }
    const signUpsFrom = address();
    expect((await Promise.all(times(4, '').map(() => timed(() => a.signUp(signUpsFrom))))).sort()).toEqual([...times(2, 'ADMITTED'), ...times(2, 'RATE_LIMITED')]);

    await redis.start();
    await expectEventually(() => expect(clients.map((c) => c.status)).toEqual(['ready', 'ready']), { timeoutMs: 10_000 });
    // Back: one count for both again, kept in Redis (this one restarted empty).
    const after = email();
    expect(await outcomes([a, b, a, b].map((t) => () => t.login(after, address())))).toEqual([...times(3, 'ADMITTED'), 'RATE_LIMITED']);
    const check = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await check.get(`${prefix}throttle:login:account:${emailSubject(after)}`)).toBe('4');
    } finally {
      check.disconnect();
    }
  });

  it('falls back within the command timeout when Redis stalls, still limiting', async () => {
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      // Redis stops answering every client for 3 s while the connections stay up.
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
      const stalled = email();
      const results = await Promise.all(times(5, '').map(() => timed(() => a.login(stalled, address()))));
      expect(results.filter((r) => r === 'ADMITTED')).toHaveLength(3);
      expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(2);
    } finally {
      admin.disconnect();
    }
  });
});
