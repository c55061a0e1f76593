import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@signoff/service-kit';

/**
 * device-registry settings: the common ones plus its own. As `loadConfig` requires, every field
 * has an initial value, whose type says how its variable is parsed.
 */
export class RegistryConfig extends CommonConfig {
  /** `/health/*` and `/metrics`; 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT = 3102;


  /** How long the broker waits for an event to be handled before offering it again. */
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  EVENT_ACK_WAIT_MS = 30_000;
}
