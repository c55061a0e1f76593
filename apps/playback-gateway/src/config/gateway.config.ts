import { CommonConfig } from '@signoff/service-kit';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsTrustedProxyList } from './trusted-proxies';

/** The gateway's settings (on top of the shared ones); read once at start. */
export class GatewayConfig extends CommonConfig {
  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT = 8080;

  /** Names this replica in presence keys and progress reports; defaults to host and port. */
  @IsOptional()
  @IsString()
  GATEWAY_ID: string | undefined = undefined;

  /** Verified tokens remembered until expiry (≈1 KiB each): 50k covers a busy replica's ten-minute window. */
  @IsInt()
  @Min(1_000)
  VERIFIED_TOKEN_CACHE_SIZE = 50_000;

  /**
   * A port of its own for `/docs`, `/docs-json` and `/metrics`, which then answer 404 on
   * `HTTP_PORT` (the one a load balancer publishes). -1: served on `HTTP_PORT` (npm start);
   * the Kubernetes manifest sets 9090; 0 picks a free port (tests).
   */
  @IsInt()
  @Min(-1)
  @Max(65_535)
  OPS_HTTP_PORT = -1;

  /** Largest JSON body accepted, in bytes. */
  @IsInt()
  @Min(1_024)
  MAX_BODY_BYTES = 16 * 1024;

  /**
   * Proxies (load balancers) whose `X-Forwarded-For` is believed: IP addresses, CIDR ranges or
   * Express's `loopback`, `linklocal`, `uniquelocal`, comma-separated. The client address (sign-in
   * location, per-address throttles, alert mails) is then the nearest address not in this list.
   * Empty: trust none, the client address is the socket's peer.
   */
  @IsTrustedProxyList()
  TRUSTED_PROXIES = '';

  /** The built account page (`npx nx build account-web`), served at /account; relative to the working directory. */
  @IsString()
  ACCOUNT_PAGE_DIR = 'dist/apps/account-web';

  /** Browser origins allowed to open the device WebSocket (comma-separated); devices send none. */
  @IsString()
  ALLOWED_ORIGINS = '';

  /**
   * Control channels one session (access token) may hold on this gateway; the next one closes
   * the oldest with 4002 (replaced). Per gateway: a token may hold this many on each replica.
   */
  @IsInt()
  @Min(1)
  WS_CHANNELS_PER_SESSION = 4;

  /** How often live connections are checked with a WebSocket ping. */
  @IsInt()
  @Min(1_000)
  WS_PING_INTERVAL_MS = 30_000;

  /**
   * Drain on SIGTERM (deploy/README.md "Drains"): the connected devices are told to reconnect
   * elsewhere (close 1012) evenly over this window, so the other replicas are not all hit at
   * once; meanwhile the listener stays open, not ready, for a load balancer to notice. 0: all at once.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  DRAIN_WINDOW_MS = 5_000;

  /** The whole drain, signal to exit; requests still running near its end are cut. Below the pod's grace period. */
  @IsInt()
  @Min(5_000)
  SHUTDOWN_TIMEOUT_MS = 20_000;

  // Throttling (docs/security.md "Throttling"). Fixed windows counted in Redis, shared by
  // every gateway; while Redis fails each process counts the same policy on its own. Windows
  // are whole seconds, at least one: rate-limiter-flexible keeps a shorter one for ever.

  /** Failed sign-ins allowed per account (normalised email) per login window. */
  @IsInt()
  @Min(1)
  THROTTLE_LOGIN_PER_ACCOUNT = 10;

  /** Failed sign-ins allowed per source address per login window, whatever the email. */
  @IsInt()
  @Min(1)
  THROTTLE_LOGIN_PER_ADDRESS = 50;

  @IsInt()
  @Min(1)
  THROTTLE_LOGIN_WINDOW_SECONDS = 15 * 60;

  /**
   * How long an account that signed in from an address is let past that address's sign-in limit
   * (never past its own), counted from its last successful sign-in there: someone failing from a
   * shared address cannot lock out the holders who sign in there. 0: no address is known.
   */
  @IsInt()
  @Min(0)
  THROTTLE_LOGIN_KNOWN_ADDRESS_SECONDS = 30 * 24 * 60 * 60;

  /** Failed step-ups (password re-entry) allowed per account and session per window. */
  @IsInt()
  @Min(1)
  THROTTLE_STEP_UP_PER_SESSION = 5;

  @IsInt()
  @Min(1)
  THROTTLE_STEP_UP_WINDOW_SECONDS = 15 * 60;

  /** Step-up codes mailed per account per step-up window (each one sends a mail). */
  @IsInt()
  @Min(1)
  THROTTLE_STEP_UP_EMAIL_CODES_PER_ACCOUNT = 5;

  /** Sign-up attempts (successful or not) allowed per source address per window. */
  @IsInt()
  @Min(1)
  THROTTLE_SIGN_UP_PER_ADDRESS = 10;

  @IsInt()
  @Min(1)
  THROTTLE_SIGN_UP_WINDOW_SECONDS = 60 * 60;

  /** Password-reset requests allowed per email per window (each one sends a mail). */
  @IsInt()
  @Min(1)
  THROTTLE_RESET_PER_EMAIL = 5;

  /** Password-reset requests allowed per source address per window, whatever the email. */
  @IsInt()
  @Min(1)
  THROTTLE_RESET_PER_ADDRESS = 20;

  @IsInt()
  @Min(1)
  THROTTLE_RESET_WINDOW_SECONDS = 60 * 60;

  /**
   * Failed uses of an emailed link token ("this wasn't me", password reset) allowed per source
   * address per window. The tokens are 256 bits; this keeps guessers from costing us lookups.
   */
  @IsInt()
  @Min(1)
  THROTTLE_LINK_TOKEN_PER_ADDRESS = 20;

  @IsInt()
  @Min(1)
  THROTTLE_LINK_TOKEN_WINDOW_SECONDS = 60 * 60;
}
