export * from './geoip-locator';
export * from './mmdb-geoip-locator';
export * from './create-geoip-locator';
