import { TOKEN_POLICY } from '@signoff/contracts';
import { CommonConfig } from '@signoff/service-kit';
import { IsInt, IsString, Max, Min } from 'class-validator';

/**
 * auth-service settings. Read from the environment once by `loadConfig(AuthConfig)` in
 * `main.ts`; tests build their own instance and hand it to `AuthServiceModule.forRoot`.
 */
export class AuthConfig extends CommonConfig {
  /** `/health/*` and `/metrics`; 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT = 3101;

  /**
   * Where events are published (JetStream), if not `NATS_URL`: the relay's connection is separate
   * from the request/reply transport's anyway, and an operator may point it elsewhere.
   */
  @IsString()
  EVENTS_NATS_URL = '';

  /** Safety-net poll of the outbox; commits kick the relay at once, this catches lost kicks. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  OUTBOX_POLL_MS = 500;

  /** argon2id cost. The floors are the OWASP minimum (m=19 MiB, t=2, p=1): config can raise, never lower. */
  @IsInt()
  @Min(19_456)
  ARGON2_MEMORY_KIB = 19_456;

  @IsInt()
  @Min(2)
  ARGON2_TIME_COST = 2;

  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  /** Refresh-token lifetimes (sliding idle, hard absolute); defaults are the shared policy. */
  @IsInt()
  @Min(60)
  REFRESH_IDLE_SECONDS: number = TOKEN_POLICY.refreshIdleSeconds;

  @IsInt()
  @Min(60)
  REFRESH_ABSOLUTE_SECONDS: number = TOKEN_POLICY.refreshAbsoluteSeconds;

  /** Signing keys: a new key every this many days (on demand too: RPC `auth.keys.rotate.v1`). */
  @IsInt()
  @Min(1)
  @Max(365)
  SIGNING_KEY_ROTATION_DAYS = 30;

  /**
   * A new key is published at once and signs only this long afterwards, so every gateway holds
   * it before the first token signed with it: the rotation event makes them fetch it within
   * milliseconds, and 120 s is two of their periodic refreshes should the event be missed.
   */
  @IsInt()
  @Min(1)
  @Max(3_600)
  SIGNING_KEY_PUBLISH_LEAD_SECONDS = 120;

  /** How often each replica looks whether a rotation or a retirement is due (one acts, under a lock). */
  @IsInt()
  @Min(1)
  @Max(3_600)
  SIGNING_KEY_CHECK_INTERVAL_SECONDS = 60;

}
