import type Redis from 'ioredis';

/**
 * The sources (account × address, `knownAddressSubject`) from which an account signed in
 * successfully: the sign-in throttle lets them past the per-address limit.
 */
export interface KnownAddresses {
  /** Whether the account signed in from there within the time kept; rejects when it cannot tell. */
  has(subject: string): Promise<boolean>;
  /** After a successful sign-in: keep it (again) for the whole time. */
  remember(subject: string): Promise<void>;
}

/** Remembers nothing: every address is new (tests, or `THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS=0`). */
export const NO_KNOWN_ADDRESSES: KnownAddresses = {
  has: () => Promise.resolve(false),
  remember: () => Promise.resolve(),
};

/**
 * One Redis key per account and address, `throttle:login:known:<subject>` (after the deployment's
 * `REDIS_KEY_PREFIX`, which ioredis adds), expiring `ttlSeconds` after the last sign-in from there.
 */
export class RedisKnownAddresses implements KnownAddresses {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async has(subject: string): Promise<boolean> {
    return (await this.redis.exists(knownAddressKey(subject))) === 1;
  }

  async remember(subject: string): Promise<void> {
    await this.redis.set(knownAddressKey(subject), '1', 'EX', this.ttlSeconds);
  }
}

export function knownAddressKey(subject: string): string {
  return `throttle:login:known:${subject}`;
}
