import { Module } from '@nestjs/common';
import { createGeoIpLocator, GeoIpLocator } from '@signoff/geoip';
import { RegistryConfig } from '../config/registry.config';

/** The registry's GeoIP data, opened once at start from `GEOIP_DATABASE_PATH`. */
@Module({
  providers: [{ provide: GeoIpLocator, inject: [RegistryConfig], useFactory: (config: RegistryConfig) => createGeoIpLocator(config.GEOIP_DATABASE_PATH) }],
  exports: [GeoIpLocator],
})
export class GeoIpModule {}
