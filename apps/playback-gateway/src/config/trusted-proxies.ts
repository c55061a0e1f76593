import { ValidateBy, ValidationOptions } from 'class-validator';
import { isIP } from 'node:net';

/** Express's names for address ranges in `trust proxy` (proxy-addr). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** The entries of `TRUSTED_PROXIES`: addresses, CIDR ranges, or Express's named ranges. */
export function trustedProxies(setting: string): string[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Express's `trust proxy` value: the list itself, or `false` for none. Hop counts and `true` are
 * deliberately not offered: they trust whichever peer happens to connect, and anyone can send
 * an `X-Forwarded-For` header.
 */
export function trustProxySetting(setting: string): string[] | false {
  const entries = trustedProxies(setting);
  return entries.length > 0 ? entries : false;
}

function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** Checked at start: a typo here would otherwise surface as Express throwing on the first request. */
export function IsTrustedProxyList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustedProxyList',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && trustedProxies(value).every(isProxyEntry),
        defaultMessage: () => '$property must list IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal, comma-separated',
      },
    },
    options,
  );
}
