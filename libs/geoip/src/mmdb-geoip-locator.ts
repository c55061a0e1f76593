import { DeviceLocation } from '@signoff/contracts';
import { open, Reader, Response } from 'maxmind';
import { GeoIpLocator, unknownLocation } from './geoip-locator';
import { publicAddress } from './public-address';

/**
 * GeoIP from MaxMind DB (`.mmdb`) files, read whole into memory once at start (lookups take a
 * few microseconds). Files from ip-location-db come one per address family; MaxMind's own City
 * files hold both in one IPv6 tree. Both record shapes are understood (see `toLocation`).
 */
export class MmdbGeoIpLocator extends GeoIpLocator {
  private constructor(
    private readonly ipv4: Reader<Response> | undefined,
    private readonly ipv6: Reader<Response> | undefined,
    /** One line for the start-up log: which data, built when. */
    readonly description: string,
  ) {
    super();
  }

  static async open(paths: readonly string[]): Promise<MmdbGeoIpLocator> {
    if (paths.length === 0) throw new Error('no GeoIP database file given');
    const readers = await Promise.all(paths.map((path) => open<Response>(path)));
    // An IPv4-only tree must never see an IPv6 address: it reads the address's first 32 bits
    // as IPv4 and answers with a confident, wrong place. An IPv6 tree may serve IPv4 too.
    const ipv6 = readers.find((r) => r.metadata.ipVersion === 6);
    const ipv4 = readers.find((r) => r.metadata.ipVersion === 4) ?? ipv6;
    const description = readers
      .map((r, i) => `${paths[i]} (${r.metadata.databaseType}, built ${r.metadata.buildEpoch.toISOString().slice(0, 10)})`)
      .join(', ');
    return new MmdbGeoIpLocator(ipv4, ipv6, description);
  }

  locate(ip: string | null | undefined): DeviceLocation {
    const address = publicAddress(ip);
    const reader = address?.family === 4 ? this.ipv4 : address?.family === 6 ? this.ipv6 : undefined;
    if (!address || !reader) return unknownLocation();
    try {
      return toLocation(reader.get(address.address));
    } catch {
      // A throw here would roll back the sign-in's transaction and have the event redelivered
      // for ever; a location is not worth that.
      return unknownLocation();
    }
  }
}

/**
 * ip-location-db records are flat, "" for unknown: `{country_code, state1, state2, city, ...}`.
 * MaxMind GeoIP2/GeoLite2 City records are nested: `{country: {iso_code}, subdivisions:
 * [{names: {en}}], city: {names: {en}}}`. Either way: ISO country code, first-level region, city.
 */
export function toLocation(record: unknown): DeviceLocation {
  if (!isObject(record)) return unknownLocation();
  if ('country_code' in record) {
    return { country: text(record.country_code), region: text(record.state1), city: text(record.city) };
  }
  const subdivisions = Array.isArray(record.subdivisions) ? (record.subdivisions as unknown[]) : [];
  return {
    country: isObject(record.country) ? text(record.country.iso_code) : null,
    region: englishName(subdivisions[0]),
    city: englishName(record.city),
  };
}

function englishName(value: unknown): string | null {
  return isObject(value) && isObject(value.names) ? text(value.names.en) : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
