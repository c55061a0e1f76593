import { Logger } from '@nestjs/common';
import { SignoffError } from '@signoff/contracts';
import { loadConfig } from '@signoff/service-kit';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayConfig } from '../config/gateway.config';
import { THROTTLE_POLICY_NAMES, throttlePolicies, ThrottlePolicyName } from './throttle-policies';
import { KnownAddresses } from './known-addresses';
import { addressSubject, emailSubject, knownAddressSubject } from './throttle-subjects';
import { Throttle, ThrottleBucket, ThrottleLimiter } from './throttle.service';

/** A limiter that answers `consume` as told and records every call; anything else fails the test. */
class FakeLimiter implements ThrottleLimiter {
  readonly calls: string[] = [];
  constructor(private readonly answer: (key: string) => Promise<RateLimiterRes> = () => Promise.resolve(new RateLimiterRes(1, 1000, 1))) {}

  consume(key: string, points = 1): Promise<RateLimiterRes> {
    this.calls.push(`consume ${key} ${points}`);
    return this.answer(key);
  }

  reward(key: string, points = 1): Promise<RateLimiterRes> {
    this.calls.push(`reward ${key} ${points}`);
    return Promise.resolve(new RateLimiterRes(1, 1000, 0));
  }
}

const refuse = (msBeforeNext: number) => () => Promise.reject(new RateLimiterRes(0, msBeforeNext, 11));

/** Remembers in a set; `has` fails when told to (Redis not answering). */
class FakeKnownAddresses implements KnownAddresses {
  readonly subjects = new Set<string>();
  failing = false;

  has(subject: string): Promise<boolean> {
    return this.failing ? Promise.reject(new Error('Redis did not answer')) : Promise.resolve(this.subjects.has(subject));
  }

  remember(subject: string): Promise<void> {
    this.subjects.add(subject);
    return Promise.resolve();
  }
}

function throttleWith(
  over: Partial<Record<ThrottlePolicyName, FakeLimiter>> = {},
  known?: KnownAddresses,
): { throttle: Throttle; limiters: Record<ThrottlePolicyName, FakeLimiter> } {
  const policies = throttlePolicies(loadConfig(GatewayConfig, {}));
  const limiters = {} as Record<ThrottlePolicyName, FakeLimiter>;
  const buckets = {} as Record<ThrottlePolicyName, ThrottleBucket>;
  for (const name of THROTTLE_POLICY_NAMES) {
    limiters[name] = over[name] ?? new FakeLimiter();
    buckets[name] = { policy: policies[name], limiter: limiters[name] };
  }
  return { throttle: new Throttle(buckets, known), limiters };
}

async function refusal(promise: Promise<unknown>): Promise<SignoffError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SignoffError)) throw new Error(`expected a SignoffError, got ${String(error)}`);
  return error;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Throttle', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('refuses with 503 DEPENDENCY_UNAVAILABLE, never admits, when a limiter fails outright (Redis and insurance both)', async () => {
    const { throttle } = throttleWith({ loginAddress: new FakeLimiter(() => Promise.reject(new Error('insurance broke'))) });
    const error = await refusal(throttle.login('holder@example.test', '203.0.113.7'));
    expect(error.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(error.status).toBe(503);
  });

  it('answers 429 RATE_LIMITED with whole seconds to wait, at least one, the longest of the refusing policies', async () => {
    expect((await refusal(throttleWith({ stepUpSession: new FakeLimiter(refuse(1)) }).throttle.stepUp('a', 's'))).details).toEqual({ retryAfterSeconds: 1 });
    expect((await refusal(throttleWith({ stepUpSession: new FakeLimiter(refuse(-1)) }).throttle.stepUp('a', 's'))).details).toEqual({ retryAfterSeconds: 1 });
    expect((await refusal(throttleWith({ stepUpSession: new FakeLimiter(refuse(1_500)) }).throttle.stepUp('a', 's'))).details).toEqual({ retryAfterSeconds: 2 });
    const both = throttleWith({ loginAccount: new FakeLimiter(refuse(3_000)), loginAddress: new FakeLimiter(refuse(61_000)) });
    const error = await refusal(both.throttle.login('holder@example.test', '203.0.113.7'));
    expect({ code: error.code, status: error.status, details: error.details }).toEqual({ code: 'RATE_LIMITED', status: 429, details: { retryAfterSeconds: 61 } });
  });

  it('hands the point back to the count that admitted an attempt another count refused', async () => {
    const { throttle, limiters } = throttleWith({ loginAccount: new FakeLimiter(refuse(5_000)) });
    await refusal(throttle.login('holder@example.test', '203.0.113.7'));
    await flush();
    expect(limiters.loginAddress.calls).toEqual(['consume 203.0.113.7 1', 'reward 203.0.113.7 1']);
    expect(limiters.loginAccount.calls).toHaveLength(1);
  });

  it('counts only failed sign-ins and step-ups: a success hands its points back', async () => {
    const { throttle, limiters } = throttleWith();
    await (await throttle.login('holder@example.test', '203.0.113.7')).succeeded();
    await (await throttle.stepUp('account', 'session')).succeeded();
    await (await throttle.linkToken('203.0.113.8')).succeeded();
    expect(limiters.linkTokenAddress.calls).toEqual(['consume 203.0.113.8 1', 'reward 203.0.113.8 1']);
    expect(limiters.loginAccount.calls).toEqual([expect.stringMatching(/^consume /), expect.stringMatching(/^reward /)]);
    expect(limiters.loginAddress.calls).toEqual(['consume 203.0.113.7 1', 'reward 203.0.113.7 1']);
    expect(limiters.stepUpSession.calls).toEqual(['consume account:session 1', 'reward account:session 1']);
  });

  it('counts every sign-up, password-reset request and step-up code mailed, successful or not', async () => {
    const { throttle, limiters } = throttleWith();
    await throttle.stepUpEmailCode('account');
    expect(limiters.stepUpEmailCodeAccount.calls).toEqual(['consume account 1']);
    await (await throttle.signUp('203.0.113.7')).succeeded();
    await (await throttle.passwordResetRequest('holder@example.test', '203.0.113.7')).succeeded();
    expect(limiters.signUpAddress.calls).toEqual(['consume 203.0.113.7 1']);
    expect(limiters.resetAddress.calls).toEqual(['consume 203.0.113.7 1']);
    expect(limiters.resetEmail.calls).toEqual([expect.stringMatching(/^consume /)]);
  });

  it('keys accounts by the hashed, normalised email: the same for every spelling, never the email', async () => {
    const { throttle, limiters } = throttleWith();
    await throttle.login(' Holder@Example.TEST', undefined);
    await throttle.login('holder@example.test', undefined);
    const [first, second] = limiters.loginAccount.calls;
    expect(first).toBe(second);
    expect(first).not.toMatch(/holder|example/i);
    expect(limiters.loginAddress.calls).toEqual(['consume unknown 1', 'consume unknown 1']);
  });

  describe('an account that signed in from the address before', () => {
    const holder = 'holder@example.test';
    const from = '203.0.113.7';
    const place = knownAddressSubject(emailSubject(holder), addressSubject(from));
    const wrongPassword = new SignoffError('INVALID_CREDENTIALS', 'the email or password is not correct');

    it('is remembered only once a sign-in from there succeeded', async () => {
      const known = new FakeKnownAddresses();
      const { throttle } = throttleWith({}, known);
      const failed = await throttle.login(holder, from);
      expect(failed.failed(wrongPassword)).toBe(wrongPassword);
      expect(known.subjects.size).toBe(0);
      await (await throttle.login(` ${holder.toUpperCase()}`, from)).succeeded();
      expect([...known.subjects]).toEqual([place]);
    });

    it('is let past the address limit, never the account limit; a failure answers the address refusal, a success hands the account point back', async () => {
      const known = new FakeKnownAddresses();
      known.subjects.add(place);
      const { throttle, limiters } = throttleWith({ loginAddress: new FakeLimiter(refuse(42_000)) }, known);
      const admission = await throttle.login(holder, from);
      for (const failure of [wrongPassword, new SignoffError('DEPENDENCY_TIMEOUT', 'late'), new Error('boom')]) {
        const answer = admission.failed(failure) as SignoffError;
        expect({ code: answer.code, details: answer.details }).toEqual({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 42 } });
      }
      // Answers that need the right password may be told.
      const otpRequired = new SignoffError('OTP_REQUIRED', 'code please');
      expect(admission.failed(otpRequired)).toBe(otpRequired);
      await admission.succeeded();
      expect(limiters.loginAccount.calls).toEqual([expect.stringMatching(/^consume /), expect.stringMatching(/^reward /)]);
      expect(limiters.loginAddress.calls).toEqual([`consume ${from} 1`]);

      // Its own limit still refuses it.
      const locked = throttleWith({ loginAccount: new FakeLimiter(refuse(5_000)), loginAddress: new FakeLimiter(refuse(42_000)) }, known);
      expect((await refusal(locked.throttle.login(holder, from))).details).toEqual({ retryAfterSeconds: 42 });
      const accountOnly = throttleWith({ loginAccount: new FakeLimiter(refuse(5_000)) }, known);
      expect((await refusal(accountOnly.throttle.login(holder, from))).details).toEqual({ retryAfterSeconds: 5 });
    });

    it('is not let past from another address, nor another account from this one, nor when the record cannot be read', async () => {
      const known = new FakeKnownAddresses();
      known.subjects.add(place);
      const { throttle } = throttleWith({ loginAddress: new FakeLimiter(refuse(42_000)) }, known);
      expect((await refusal(throttle.login(holder, '203.0.113.8'))).code).toBe('RATE_LIMITED');
      expect((await refusal(throttle.login('other@example.test', from))).code).toBe('RATE_LIMITED');
      known.failing = true;
      expect((await refusal(throttle.login(holder, from))).code).toBe('RATE_LIMITED');
    });

    it('answers a failure as usual while the address limit admits it', async () => {
      const known = new FakeKnownAddresses();
      known.subjects.add(place);
      const admission = await throttleWith({}, known).throttle.login(holder, from);
      expect(admission.failed(wrongPassword)).toBe(wrongPassword);
    });
  });
});
