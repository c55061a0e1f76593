import type { DeviceLocation, DeviceStatus, DeviceType, ProgressState } from '@signoff/contracts';

/** Words for everything the API says in codes. Pure functions: tested in format.spec.ts. */

export const DEVICE_TYPE_LABEL: Record<DeviceType, string> = {
  tv: 'TV',
  phone: 'Phone',
  tablet: 'Tablet',
  computer: 'Computer',
  browser: 'Web browser',
  console: 'Game console',
  streaming_stick: 'Streaming stick',
  other: 'Other device',
};

export const STATUS_LABEL: Record<DeviceStatus, string> = {
  streaming: 'Watching now',
  paused: 'Paused',
  online: 'Online',
  offline: 'Offline',
  logout_pending: 'Signs out when it next connects',
  signed_out: 'Signed out',
};

/** A device's line in the progress panel (offline = the device was not connected when asked). */
export function progressLabel(state: ProgressState, offline: boolean): string {
  switch (state) {
    case 'pending':
      return offline ? 'Offline: signed out the moment it next connects' : 'Signing out…';
    case 'cut':
      return 'Stream stopped, waiting for the device to confirm';
    case 'acknowledged':
      return 'Signed out';
    case 'logged_out_on_reconnect':
      return 'Signed out when it reconnected';
  }
}

export function isFinalProgress(state: ProgressState): boolean {
  return state === 'acknowledged' || state === 'logged_out_on_reconnect';
}

/** "Mountain View, California, US"; null when the address had no known place. */
export function locationLabel(location: DeviceLocation | null | undefined): string | null {
  if (!location) return null;
  const parts = [location.city, location.region, location.country].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(', ') : null;
}

/** Where a sign-in came from, in words: "near Porto, Porto, PT (approximate)", or that it is not known. */
export function approximatePlace(location: DeviceLocation | null | undefined): string {
  const place = locationLabel(location);
  return place ? `near ${place} (approximate)` : 'Not known: the address could not be placed';
}

/** A device as a sign-in alert describes it: "Computer, Windows 11". */
export function deviceKind(device: { type: DeviceType; os: string | null }): string {
  return device.os ? `${DEVICE_TYPE_LABEL[device.type] ?? 'Device'}, ${device.os}` : (DEVICE_TYPE_LABEL[device.type] ?? 'Device');
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago", else the date. */
export function timeAgo(iso: string | null | undefined, now: Date = new Date()): string | null {
  if (!iso) return null;
  const then = new Date(iso);
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (Number.isNaN(seconds)) return null;
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  const days = Math.round(hours / 24);
  if (days < 14) return `${days} day${days === 1 ? '' : 's'} ago`;
  return then.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A full local date and time, for `title=` and `<time>`. */
export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "Wait 14 minutes" from a Retry-After in seconds. */
export function waitLabel(retryAfterSeconds: number | null): string {
  if (!retryAfterSeconds || retryAfterSeconds <= 60) return 'Wait a minute';
  return `Wait ${Math.ceil(retryAfterSeconds / 60)} minutes`;
}
