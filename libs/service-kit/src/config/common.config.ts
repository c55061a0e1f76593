import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { TOKEN_POLICY } from '@signoff/contracts';
import { DEPLOYMENT_MODES, DeploymentMode } from './deployment-mode';

/**
 * Settings every service shares, in one place. Defaults point at the servers on this machine,
 * so `npm start` (which runs with `SIGNOFF_ENV=development`) needs no configuration. Each app extends this with its own settings.
 */
export class CommonConfig {
  /**
   * `development` lets the service run on public development values for the settings marked
   * `@RequiredOutsideDevelopment()`; the default, a real deployment, requires them.
   */
  @IsIn(DEPLOYMENT_MODES)
  SIGNOFF_ENV: DeploymentMode = 'production';

  @IsString()
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prefix for every subject and stream; empty in production, unique per test run. */
  @Matches(/^([a-z0-9][a-z0-9_-]{0,39})?$/)
  NATS_NAMESPACE = '';

  @IsString()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/signoff';

  /** Connections each service keeps to PostgreSQL. */
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE = 10;

  @IsString()
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9:_-]*$/)
  REDIS_KEY_PREFIX = 'signoff:';

  /** Every Redis command gives up after this long: a slow Redis bounds latency, never hangs it. */
  @IsInt()
  @Min(10)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** How long one request/reply call may take before the caller answers 503/504. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  RPC_TIMEOUT_MS = 5_000;

  /** Access-token lifetime: the signer mints with it, gateways keep revocations that long. */
  @IsInt()
  @Min(10)
  @Max(3_600)
  ACCESS_TOKEN_TTL_SECONDS: number = TOKEN_POLICY.accessTokenTtlSeconds;

  /**
   * Replicas of every JetStream stream: 1 on one NATS server, 3 on a three-node cluster. A
   * start raises a stream to this, never lowers it (see `ensureStream`).
   */
  @IsInt()
  @Min(1)
  @Max(5)
  NATS_STREAM_REPLICAS = 1;

  /** How often each service looks at its streams (lost, recreated, a follower stalled); also at every reconnect. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  STREAM_CHECK_INTERVAL_MS = 5_000;

  @IsString()
  HTTP_HOST = '127.0.0.1';
}
