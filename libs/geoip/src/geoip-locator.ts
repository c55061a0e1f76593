import { DeviceLocation } from '@signoff/contracts';

/** A location with nothing known: what every address that cannot be placed gets. */
export function unknownLocation(): DeviceLocation {
  return { country: null, region: null, city: null };
}

/**
 * Places an IP address, roughly (country as an ISO 3166-1 alpha-2 code, region, city). Lookups
 * are synchronous and in memory: they run inside the transaction that applies a sign-in. Never
 * throws: private, loopback and malformed addresses, and addresses the data does not know, come
 * back as `unknownLocation()`.
 */
export abstract class GeoIpLocator {
  abstract locate(ip: string | null | undefined): DeviceLocation;
}

/** `GEOIP_DATABASE_PATH` empty: no lookups at all. */
export class DisabledGeoIpLocator extends GeoIpLocator {
  locate(): DeviceLocation {
    return unknownLocation();
  }
}
