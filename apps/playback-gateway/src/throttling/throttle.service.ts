import { Logger } from '@nestjs/common';
import { SignoffError } from '@signoff/contracts';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayConfig } from '../config/gateway.config';
import { THROTTLE_POLICY_NAMES, throttlePolicies, ThrottlePolicy, ThrottlePolicyName } from './throttle-policies';
import { addressSubject, emailSubject } from './throttle-subjects';

type LimiterOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/** The two calls the throttle makes on a limiter (rate-limiter-flexible's `consume`/`reward`). */
export interface ThrottleLimiter {
  consume(key: string, points?: number): Promise<RateLimiterRes>;
  reward(key: string, points?: number): Promise<RateLimiterRes>;
}

export interface ThrottleBucket {
  policy: ThrottlePolicy;
  limiter: ThrottleLimiter;
}

interface Taken {
  bucket: ThrottleBucket;
  subject: string;
}

/**
 * An attempt the throttle let through. Call `succeeded()` once the attempt succeeded: policies
 * that count failures only get their point back; the others keep it.
 */
export class Admission {
  constructor(private readonly refund: () => Promise<void>) {}

  succeeded(): Promise<void> {
    return this.refund();
  }
}

/**
 * Throttles guessing: sign-in, step-up, sign-up and password-reset requests, per account and
 * per source address. Counts live in Redis (one count for every gateway); when Redis errors or
 * does not answer within its command timeout, each process counts the same policy in memory
 * (a per-process limit, never no limit). Should even that fail, the attempt is refused with
 * 503: the throttle never fails open.
 */
export class Throttle {
  private readonly logger = new Logger(Throttle.name);

  constructor(private readonly buckets: Record<ThrottlePolicyName, ThrottleBucket>) {}

  /** The gateway's throttle: every policy on the shared Redis client, insured in memory. */
  static onRedis(redis: Redis, config: GatewayConfig): Throttle {
    const policies = throttlePolicies(config);
    const logger = new Logger(Throttle.name);
    const fallbackNotice = rateLimitedNotice(30_000, () =>
      logger.warn('Redis did not answer a throttle check: counting per process until it does'),
    );
    const buckets = {} as Record<ThrottlePolicyName, ThrottleBucket>;
    for (const name of THROTTLE_POLICY_NAMES) buckets[name] = { policy: policies[name], limiter: redisLimiter(redis, policies[name], fallbackNotice) };
    return new Throttle(buckets);
  }

  /** Before a sign-in: one attempt against the account the email names and the source address. */
  login(email: string, address: string | undefined): Promise<Admission> {
    return this.admit([
      ['loginAccount', emailSubject(email)],
      ['loginAddress', addressSubject(address)],
    ]);
  }

  /** Before a step-up (password re-entry): one attempt against this account and session. */
  stepUp(accountId: string, sessionId: string): Promise<Admission> {
    return this.admit([['stepUpSession', `${accountId}:${sessionId}`]]);
  }

  /** Before mailing a step-up code: one mail against the account (a mailbox is not a target). */
  async stepUpEmailCode(accountId: string): Promise<void> {
    await this.admit([['stepUpEmailCodeAccount', accountId]]);
  }

  /**
   * Before using an emailed link token ("this wasn't me", password reset): one attempt against
   * the source address, handed back when the token was good.
   */
  linkToken(address: string | undefined): Promise<Admission> {
    return this.admit([['linkTokenAddress', addressSubject(address)]]);
  }

  /** Before a sign-up: one attempt against the source address. */
  signUp(address: string | undefined): Promise<Admission> {
    return this.admit([['signUpAddress', addressSubject(address)]]);
  }

  /** Before a password-reset request: one attempt against the email and the source address. */
  passwordResetRequest(email: string, address: string | undefined): Promise<Admission> {
    return this.admit([
      ['resetEmail', emailSubject(email)],
      ['resetAddress', addressSubject(address)],
    ]);
  }

  private async admit(checks: Array<[ThrottlePolicyName, string]>): Promise<Admission> {
    const attempts: Taken[] = checks.map(([name, subject]) => ({ bucket: this.buckets[name], subject }));
    const outcomes = await Promise.allSettled(attempts.map(({ bucket, subject }) => bucket.limiter.consume(subject)));
    const taken = attempts.filter((_, i) => outcomes[i].status === 'fulfilled');
    const refused: Array<{ policy: ThrottlePolicy; res: RateLimiterRes }> = [];
    let broken: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      if (outcome.reason instanceof RateLimiterRes) refused.push({ policy: attempts[i].bucket.policy, res: outcome.reason });
      else broken ??= outcome.reason;
    });
    if (broken === undefined && refused.length === 0) {
      return new Admission(() => this.giveBack(taken.filter(({ bucket }) => bucket.policy.counts === 'failures')));
    }
    // A refused attempt reaches no verifier, so it costs nothing in the counts that admitted it.
    // Not awaited: a stalled Redis must not hold the refusal for another command timeout.
    void this.giveBack(taken);
    if (broken !== undefined) {
      this.logger.error(`throttle check failed in Redis and in memory; refusing: ${String(broken)}`);
      throw new SignoffError('DEPENDENCY_UNAVAILABLE', 'attempts cannot be counted right now; try again shortly');
    }
    const retryAfterSeconds = Math.max(1, ...refused.map(({ res }) => Math.ceil(res.msBeforeNext / 1000)));
    this.logger.log(`refused by ${refused.map(({ policy }) => policy.name).join(', ')}; retry after ${retryAfterSeconds} s`);
    throw new SignoffError('RATE_LIMITED', 'too many attempts; try again later', { retryAfterSeconds });
  }

  /** Hands points back; best effort (a lost point only makes the limit stricter). */
  private async giveBack(taken: Taken[]): Promise<void> {
    const results = await Promise.allSettled(taken.map(({ bucket, subject }) => bucket.limiter.reward(subject)));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.warn(`could not hand a throttle point back: ${String(result.reason)}`);
    }
  }
}

/**
 * One policy on Redis with an in-memory twin as insurance. Keys: ioredis adds the deployment's
 * `keyPrefix` to every key it sends, including the KEYS of the limiter's Lua script (registered
 * with `defineCommand`) and of its MULTI; so the limiter's own prefix is only `throttle:<name>`,
 * and a key reads `<REDIS_KEY_PREFIX>throttle:<name>:<subject>`, prefixed once.
 */
function redisLimiter(redis: Redis, policy: ThrottlePolicy, onFallback: () => void): RateLimiterRedis {
  const options: LimiterOptions = { keyPrefix: `throttle:${policy.name}`, points: policy.points, duration: policy.windowSeconds };
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    // While ioredis is not connected, go to the insurance at once instead of erroring per command.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new InsuranceLimiter(options, onFallback),
  });
}

/** The in-memory limiter used while Redis fails; says so in the log. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: LimiterOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/** Calls `notify` at most once per `intervalMs`. */
function rateLimitedNotice(intervalMs: number, notify: () => void): () => void {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    notify();
  };
}
