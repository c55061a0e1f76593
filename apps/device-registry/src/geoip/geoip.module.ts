import { Logger, Module } from '@nestjs/common';
import { RegistryConfig } from '../config/registry.config';
import { DisabledGeoIpLocator, GeoIpLocator } from './geoip-locator';
import { MmdbGeoIpLocator } from './mmdb-geoip-locator';

/**
 * Opens the GeoIP data once at start. A file that is missing or is not a MaxMind DB stops the
 * start: a wrong path should not pass as "every device's location is unknown".
 */
export async function createGeoIpLocator(setting: string, logger = new Logger('GeoIp')): Promise<GeoIpLocator> {
  const paths = setting
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
  if (paths.length === 0) {
    logger.warn('GeoIP lookups are off (GEOIP_DATABASE_PATH is empty): device locations stay empty');
    return new DisabledGeoIpLocator();
  }
  const locator = await MmdbGeoIpLocator.open(paths);
  logger.log(`GeoIP data: ${locator.description}`);
  return locator;
}

@Module({
  providers: [{ provide: GeoIpLocator, inject: [RegistryConfig], useFactory: (config: RegistryConfig) => createGeoIpLocator(config.GEOIP_DATABASE_PATH) }],
  exports: [GeoIpLocator],
})
export class GeoIpModule {}
