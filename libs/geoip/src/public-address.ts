import { BlockList, isIP } from 'node:net';

/**
 * Ranges that are never a client's place on the internet (RFC 6890 special-purpose blocks):
 * private, loopback, link-local, carrier-grade NAT, documentation, benchmarking, multicast and
 * reserved. A GeoIP database has nothing true to say about them.
 */
const NOT_GLOBAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_GLOBAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_GLOBAL.addSubnet(network, prefix, 'ipv6');
}

export interface PublicAddress {
  address: string;
  family: 4 | 6;
}

/**
 * The address in the form a GeoIP lookup needs, or null when there is nothing to look up.
 * IPv4-mapped IPv6 (`::ffff:8.8.8.8`) becomes plain IPv4: that is the address the client has.
 */
export function publicAddress(raw: string | null | undefined): PublicAddress | null {
  const trimmed = raw?.trim();
  // A zone index (`fe80::1%eth0`) scopes an address to one host's link: no place on the internet.
  if (!trimmed || trimmed.includes('%')) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  const address = mapped ? mapped[1] : trimmed;
  const family = isIP(address);
  if (family !== 4 && family !== 6) return null;
  return NOT_GLOBAL.check(address, family === 4 ? 'ipv4' : 'ipv6') ? null : { address, family };
}
