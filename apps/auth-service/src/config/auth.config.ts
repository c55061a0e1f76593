import { revocationRetentionMs, TOKEN_POLICY } from '@signoff/contracts';
import { CommonConfig, KEY_SETTING_PATTERN, RequiredOutsideDevelopment } from '@signoff/service-kit';
import { IsBoolean, IsInt, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';

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

  /**
   * How long an outbox row is kept once published; older ones are deleted, unpublished ones never.
   * At least the revocation retention (access-token lifetime + clock tolerance + a minute): the
   * rows of that window are auth-service's record of recent revocations, republished after a
   * stream loss and read by gateways rebuilding their view.
   */
  @IsInt()
  @CoversRevocationRetention()
  OUTBOX_RETENTION_SECONDS = 24 * 3600;

  /** How often each replica deletes published outbox rows past `OUTBOX_RETENTION_SECONDS`. */
  @IsInt()
  @Min(1)
  @Max(86_400)
  OUTBOX_PRUNE_INTERVAL_SECONDS = 600;

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

  /** Caps on refresh-token lifetimes (sliding idle, hard absolute); each device class has its own below them (`REFRESH_LIFETIMES`). */
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

  /**
   * How often each replica signs out sessions that reached their end (time-limited sign-ins, idle
   * and absolute limits), with the usual fan-out. Their access tokens expire at the end anyway;
   * this bounds how long an open stream or control channel outlives it.
   */
  @IsInt()
  @Min(1)
  @Max(3_600)
  SESSION_EXPIRY_SWEEP_SECONDS = 15;

  /**
   * Where mail goes: an SMTP URL (`smtp://user:pass@host:587`, `smtps://…`). Empty: mail is not
   * sent but logged (recipient and subject only, never the body, which may hold a reset link)
   * and marked sent, so `npm start` works without a mail server; required outside development,
   * where a holder who asked for a reset link must get it.
   */
  @IsString()
  @RequiredOutsideDevelopment()
  SMTP_URL = '';

  /** The `From:` of every mail. */
  @IsString()
  MAIL_FROM = 'Signoff <no-reply@signoff.invalid>';

  /** A mail that failed this many times is marked failed and not tried again. */
  @IsInt()
  @Min(1)
  @Max(50)
  MAIL_MAX_ATTEMPTS = 8;

  /** Backoff after the first failure; doubles per attempt, capped at 1 h. */
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  MAIL_RETRY_BASE_MS = 5_000;

  /** Safety-net poll of the mail outbox (commits kick the mail relay at once). */
  @IsInt()
  @Min(10)
  @Max(60_000)
  MAIL_POLL_MS = 1_000;

  /**
   * Base of links in mail (the web app, as holders reach it): the reset link is
   * `${PUBLIC_BASE_URL}/account/reset?token=…`. Required outside development; there it defaults
   * to the local gateway. Read it through `mailLinkBase`.
   */
  @Matches(/^(https?:\/\/[^\s/?#]+(\/[^\s?#]*)?)?$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL without query or fragment' })
  @RequiredOutsideDevelopment()
  PUBLIC_BASE_URL = '';

  /**
   * The application key that encrypts TOTP secrets at rest (AES-256-GCM) and keys the hashes of
   * recovery codes: 32 random bytes as 64 hex digits or base64. It lives outside the database, so
   * a copy of the database alone yields neither a secret nor a guessable recovery-code hash.
   * Required outside development (there, a public development key).
   */
  @Matches(KEY_SETTING_PATTERN, { message: 'TOTP_SECRET_KEY must be 32 bytes as 64 hex digits or base64' })
  @RequiredOutsideDevelopment()
  TOTP_SECRET_KEY = '';

  /**
   * Encrypts the private halves of the access-token signing keys at rest (AES-256-GCM): 32
   * random bytes as 64 hex digits or base64. A copy of the database alone cannot sign tokens.
   * Required outside development (there, a public development key).
   */
  @Matches(KEY_SETTING_PATTERN, { message: 'SIGNING_KEY_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64' })
  @RequiredOutsideDevelopment()
  SIGNING_KEY_ENCRYPTION_KEY = '';

  /** Where links in mail lead: `PUBLIC_BASE_URL` without a trailing slash (the local gateway in development). */
  get mailLinkBase(): string {
    return (this.PUBLIC_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  }

  /**
   * At most one "someone tried to sign up with your address" mail per address in this interval:
   * anyone can cause that mail, so repeated attempts must not flood the holder's mailbox.
   */
  @IsInt()
  @Min(0)
  @Max(7 * 86_400)
  SIGN_UP_NOTICE_INTERVAL_SECONDS = 3_600;

  /** How long an emailed reset link works. */
  @IsInt()
  @Min(60)
  @Max(86_400)
  PASSWORD_RESET_TTL_SECONDS = 1_800;

  /**
   * Sign-in alerts: every successful sign-in mails the account (device, time, approximate place)
   * with a "this wasn't me" link `${PUBLIC_BASE_URL}/account/not-me?token=…`. On unless set false.
   */
  @IsBoolean()
  SIGN_IN_ALERTS = true;

  /** How long the "this wasn't me" link of a sign-in alert works. */
  @IsInt()
  @Min(3_600)
  @Max(2_592_000)
  NOT_ME_TOKEN_TTL_SECONDS = 604_800;
}

/** A number of seconds no shorter than the revocation retention of this config's access-token lifetime. */
function CoversRevocationRetention(): PropertyDecorator {
  return ValidateBy({
    name: 'coversRevocationRetention',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'number' && value * 1000 >= revocationRetentionMs((args?.object as AuthConfig).ACCESS_TOKEN_TTL_SECONDS),
      defaultMessage: (args) =>
        `$property must be at least the revocation retention (${revocationRetentionMs((args?.object as AuthConfig).ACCESS_TOKEN_TTL_SECONDS) / 1000} s: access-token lifetime + clock tolerance + 60 s)`,
    },
  });
}
