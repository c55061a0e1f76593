import { Logger } from '@nestjs/common';
import { createGeoIpLocator, describeLocation, packagedGeoIpDatabases } from './create-geoip-locator';
import { DisabledGeoIpLocator, GeoIpLocator } from './geoip-locator';
import { MmdbGeoIpLocator, toLocation } from './mmdb-geoip-locator';

const NOWHERE = { country: null, region: null, city: null };

/** Against the database the registry ships with (DB-IP IP to City Lite, from npm): what it says today. */
describe('MmdbGeoIpLocator (packaged DB-IP data)', () => {
  let locator: GeoIpLocator;

  beforeAll(async () => {
    locator = await MmdbGeoIpLocator.open(packagedGeoIpDatabases().split(','));
  });

  it.each([
    ['8.8.8.8', { country: 'US', region: 'California', city: 'Mountain View' }],
    ['1.1.1.1', { country: 'AU', region: 'New South Wales', city: 'Sydney' }],
    // An IPv4 address written as IPv4-mapped IPv6, as a dual-stack socket reports it.
    ['::ffff:8.8.8.8', { country: 'US', region: 'California', city: 'Mountain View' }],
    // IPv6 is answered from the IPv6 file; the IPv4 file would have said CN (its first 32 bits).
    ['2a00:1450:4001:81c::200e', { country: 'DE', region: 'Hesse', city: 'Frankfurt am Main' }],
  ])('places %s', (ip, expected) => {
    expect(locator.locate(ip)).toEqual(expected);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['IPv6 loopback', '::1'],
    ['a private address', '192.168.1.20'],
    ['a carrier-grade NAT address', '100.64.3.4'],
    ['a documentation address', '203.0.113.7'],
    ['a unique-local IPv6 address', 'fd12:3456:789a::1'],
    ['a link-local address with a zone', 'fe80::1%eth0'],
    ['a global address with a zone', '2a00:1450:4001:81c::200e%eth0'],
    ['garbage', 'not-an-ip'],
    ['an out-of-range IPv4', '256.1.1.1'],
    ['an empty string', ''],
    ['nothing', undefined],
  ])('says nothing for %s', (_name, ip) => {
    expect(locator.locate(ip)).toEqual(NOWHERE);
  });

  it('answers in microseconds, so lookups may run inside the sign-in transaction', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 10_000; i++) locator.locate(`${(i % 200) + 1}.${i % 251}.${i % 241}.1`);
    const microsEach = Number(process.hrtime.bigint() - started) / 1_000 / 10_000;
    expect(microsEach).toBeLessThan(100);
  });
});

describe('createGeoIpLocator', () => {
  const quiet = (): Logger => ({ log: jest.fn(), warn: jest.fn() }) as unknown as Logger;

  it('switches lookups off for an empty setting, and says so once', async () => {
    const logger = quiet();
    const locator = await createGeoIpLocator('', logger);
    expect(locator).toBeInstanceOf(DisabledGeoIpLocator);
    expect(locator.locate('8.8.8.8')).toEqual(NOWHERE);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('refuses to start on a file that is not there', async () => {
    await expect(createGeoIpLocator('/nonexistent/city.mmdb', quiet())).rejects.toThrow(/ENOENT/);
  });

  it('finds the packaged DB-IP files, one per address family', () => {
    expect(packagedGeoIpDatabases()).toMatch(/dbip-city-ipv4\.mmdb,.*dbip-city-ipv6\.mmdb$/);
  });

  it('describes a location as people read it, or null when nothing is known', () => {
    expect(describeLocation({ country: 'US', region: 'California', city: 'Mountain View' })).toBe('Mountain View, California, US');
    expect(describeLocation({ country: 'US', region: null, city: null })).toBe('US');
    expect(describeLocation({ country: null, region: null, city: null })).toBeNull();
  });
});

describe('toLocation', () => {
  it('reads ip-location-db records, where "" means unknown', () => {
    expect(toLocation({ country_code: 'US', state1: '', state2: '', city: '' })).toEqual({ country: 'US', region: null, city: null });
  });

  it('reads MaxMind GeoIP2 / GeoLite2 City records', () => {
    const record = {
      country: { iso_code: 'PT', names: { en: 'Portugal' } },
      subdivisions: [{ iso_code: '13', names: { en: 'Porto' } }],
      city: { names: { en: 'Porto', pt: 'Porto' } },
    };
    expect(toLocation(record)).toEqual({ country: 'PT', region: 'Porto', city: 'Porto' });
    expect(toLocation({ country: { iso_code: 'PT' } })).toEqual({ country: 'PT', region: null, city: null });
  });

  it('says nothing for no record', () => {
    expect(toLocation(null)).toEqual(NOWHERE);
  });
});
