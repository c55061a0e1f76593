import { loadRegistryConfig } from './registry.config';

describe('loadRegistryConfig', () => {
  it('keeps an empty GEOIP_DATABASE_PATH empty (lookups off), unlike other settings where empty means unset', () => {
    expect(loadRegistryConfig({ GEOIP_DATABASE_PATH: '' }).GEOIP_DATABASE_PATH).toBe('');
    expect(loadRegistryConfig({}).GEOIP_DATABASE_PATH).toMatch(/dbip-city-ipv4\.mmdb,.*dbip-city-ipv6\.mmdb$/);
  });

  it('keeps history 400 days unless told otherwise', () => {
    expect(loadRegistryConfig({}).HISTORY_RETENTION_DAYS).toBe(400);
    expect(loadRegistryConfig({ HISTORY_RETENTION_DAYS: '30' }).HISTORY_RETENTION_DAYS).toBe(30);
  });
});
