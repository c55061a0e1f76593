import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * The account an email names, as the throttle keys it: normalised like auth-service does
 * (trim, lower-case) so every spelling of one account shares one count, then hashed so no
 * email is ever written to Redis. Known and unknown emails are keyed the same way.
 */
export function emailSubject(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/**
 * The source an address belongs to. IPv4 (also IPv4-mapped IPv6) counts per address; IPv6
 * counts per /64, because one subscriber is routinely given a whole /64 and could otherwise
 * rotate through 2^64 addresses. A request without an address shares the `unknown` count.
 */
export function addressSubject(address: string | undefined): string {
  if (!address) return 'unknown';
  const ip = address.split('%')[0];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return 'unknown';
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIPv6(ip: string): string[] {
  const groupsOf = (part: string): string[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      // An embedded IPv4 tail (e.g. 64:ff9b::192.0.2.1) fills the last two groups.
      const [a, b, c, d] = group.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  };
  const [head, tail] = ip.split('::');
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const zeros = Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16));
}

/**
 * One account at one source (the subjects above), as the sign-in throttle remembers that the
 * account signed in from there: hashed again, so the key names neither the account nor the address.
 */
export function knownAddressSubject(accountSubject: string, addressSubject: string): string {
  return createHash('sha256').update(`${accountSubject}\n${addressSubject}`).digest('base64url');
}
