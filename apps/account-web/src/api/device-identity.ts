import type { DeviceDescriptor } from '@signoff/contracts';

const STORAGE_KEY = 'signoff.accountPage.deviceId';

/**
 * This browser as a device of the account: a random id kept in localStorage (an identifier, not
 * a secret), so signing in again on the same browser updates its row instead of adding one.
 */
export function thisBrowser(): DeviceDescriptor {
  let id = readStoredId();
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    try {
      localStorage.setItem(STORAGE_KEY, id);
    } catch {
      // Storage refused (private mode): a new id per sign-in is the price.
    }
  }
  return { id, type: 'browser', name: browserName(navigator.userAgent) };
}

function readStoredId(): string | null {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored && /^web-[0-9a-f-]{36}$/.test(stored) ? stored : null;
  } catch {
    return null;
  }
}

/** "Chrome on Linux": enough for the holder to recognise the row; the gateway parses the rest. */
export function browserName(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /(Chrome|Chromium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Web browser';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : null;
  return os ? `${browser} on ${os}` : browser;
}
