import { Logger } from '@nestjs/common';
import { SignoffError } from '@signoff/contracts';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayConfig } from '../config/gateway.config';
import { KnownAddresses, NO_KNOWN_ADDRESSES, RedisKnownAddresses } from './known-addresses';
import { THROTTLE_POLICY_NAMES, throttlePolicies, ThrottlePolicy, ThrottlePolicyName } from './throttle-policies';
import { addressSubject, emailSubject, knownAddressSubject } from './throttle-subjects';

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

/** What the limiters answered to one attempt: the points taken, the refusals, a failure. */
interface Counted {
  taken: Taken[];
  refused: Array<{ name: ThrottlePolicyName; policy: ThrottlePolicy; res: RateLimiterRes }>;
  broken?: unknown;
}

/**
 * Errors of a sign-in that only come after the password was found right: a client that sees
 * them knew the password, so they may be shown even where a wrong password is not.
 */
const PASSWORD_WAS_RIGHT = new Set<string>(['OTP_REQUIRED', 'INVALID_OTP']);

/**
 * An attempt the throttle let through. Call `succeeded()` once the attempt succeeded: policies
 * that count failures only get their point back; the others keep it. Answer a failure with
 * `failed(error)`: the error itself, except for a sign-in let past the per-address limit because
 * the account signed in from that address before, which answers a wrong password (or anything
 * else that does not prove the password) with the refusal everyone else got from that address.
 */
export class Admission {
  constructor(
    private readonly onSuccess: () => Promise<void>,
    private readonly standIn?: SignoffError,
  ) {}

  succeeded(): Promise<void> {
    return this.onSuccess();
  }

  failed(error: unknown): unknown {
    if (!this.standIn) return error;
    if (error instanceof SignoffError && PASSWORD_WAS_RIGHT.has(error.code)) return error;
    return this.standIn;
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
  /** While Redis fails every sign-in would say so: once every 30 s is enough. */
  private readonly unreadableKnownAddresses = rateLimitedNotice(30_000, (error: unknown) =>
    this.logger.warn(`could not read whether an account signed in from an address before; counting addresses as new: ${String(error)}`),
  );

  constructor(
    private readonly buckets: Record<ThrottlePolicyName, ThrottleBucket>,
    private readonly knownAddresses: KnownAddresses = NO_KNOWN_ADDRESSES,
  ) {}

  /**
   * The gateway's throttle: every policy on the shared Redis client, insured in memory; the
   * addresses accounts signed in from on the same client (none while it fails).
   */
  static onRedis(redis: Redis, config: GatewayConfig): Throttle {
    const policies = throttlePolicies(config);
    const logger = new Logger(Throttle.name);
    const fallbackNotice = rateLimitedNotice(30_000, () =>
      logger.warn('Redis did not answer a throttle check: counting per process until it does'),
    );
    const buckets = {} as Record<ThrottlePolicyName, ThrottleBucket>;
    for (const name of THROTTLE_POLICY_NAMES) buckets[name] = { policy: policies[name], limiter: redisLimiter(redis, policies[name], fallbackNotice) };
    const known = config.THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS > 0 ? new RedisKnownAddresses(redis, config.THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS) : NO_KNOWN_ADDRESSES;
    return new Throttle(buckets, known);
  }

  /**
   * Before a sign-in: one attempt against the account the email names and the source address.
   * An account that signed in successfully from this address before (within
   * `THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS`) is let past the address's limit, never past its own:
   * someone failing from a shared address cannot lock out a holder who signs in there with the
   * right password. Such an attempt answers a wrong password with the address's 429, like every
   * other email (docs/security.md "Throttling").
   */
  async login(email: string, address: string | undefined): Promise<Admission> {
    const account = emailSubject(email);
    const place = knownAddressSubject(account, addressSubject(address));
    // The marker is read beside the counts, for known and unknown emails alike: no extra wait.
    const [counted, known] = await Promise.all([
      this.count([
        ['loginAccount', account],
        ['loginAddress', addressSubject(address)],
      ]),
      this.knownAddresses.has(place).catch((error: unknown) => {
        this.unreadableKnownAddresses(error);
        return false;
      }),
    ]);
    const remember = () =>
      this.knownAddresses.remember(place).catch((error: unknown) => this.logger.warn(`could not remember a sign-in's address: ${String(error)}`));
    if (known && counted.broken === undefined && counted.refused.length === 1 && counted.refused[0].name === 'loginAddress') {
      this.logger.log(`${counted.refused[0].policy.name} refused; admitted: the account signed in from this address before`);
      const failures = counted.taken.filter(({ bucket }) => bucket.policy.counts === 'failures');
      return new Admission(async () => void (await Promise.all([this.giveBack(failures), remember()])), this.rateLimited(counted));
    }
    return this.decide(counted, remember);
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
    return this.decide(await this.count(checks));
  }

  /** One point from every check's count, in parallel. */
  private async count(checks: Array<[ThrottlePolicyName, string]>): Promise<Counted> {
    const attempts: Taken[] = checks.map(([name, subject]) => ({ bucket: this.buckets[name], subject }));
    const outcomes = await Promise.allSettled(attempts.map(({ bucket, subject }) => bucket.limiter.consume(subject)));
    const counted: Counted = { taken: attempts.filter((_, i) => outcomes[i].status === 'fulfilled'), refused: [] };
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      if (outcome.reason instanceof RateLimiterRes) counted.refused.push({ name: checks[i][0], policy: attempts[i].bucket.policy, res: outcome.reason });
      else counted.broken ??= outcome.reason;
    });
    return counted;
  }

  /** Admits an attempt every count admitted; else hands the points back and refuses (429, or 503 when counting failed). */
  private decide({ taken, refused, broken }: Counted, onSuccess: () => Promise<void> = async () => undefined): Admission {
    if (broken === undefined && refused.length === 0) {
      const failures = taken.filter(({ bucket }) => bucket.policy.counts === 'failures');
      return new Admission(async () => void (await Promise.all([this.giveBack(failures), onSuccess()])));
    }
    // A refused attempt reaches no verifier, so it costs nothing in the counts that admitted it.
    // Not awaited: a stalled Redis must not hold the refusal for another command timeout.
    void this.giveBack(taken);
    if (broken !== undefined) {
      this.logger.error(`throttle check failed in Redis and in memory; refusing: ${String(broken)}`);
      throw new SignoffError('DEPENDENCY_UNAVAILABLE', 'attempts cannot be counted right now; try again shortly');
    }
    const error = this.rateLimited({ taken, refused });
    this.logger.log(`refused by ${refused.map(({ policy }) => policy.name).join(', ')}; retry after ${error.details.retryAfterSeconds} s`);
    throw error;
  }

  /** 429 with the whole seconds to wait (at least one): the longest of the refusing counts. */
  private rateLimited({ refused }: Counted): SignoffError {
    const retryAfterSeconds = Math.max(1, ...refused.map(({ res }) => Math.ceil(res.msBeforeNext / 1000)));
    return new SignoffError('RATE_LIMITED', 'too many attempts; try again later', { retryAfterSeconds });
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
function rateLimitedNotice<A extends unknown[]>(intervalMs: number, notify: (...args: A) => void): (...args: A) => void {
  let last = 0;
  return (...args: A) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    notify(...args);
  };
}
