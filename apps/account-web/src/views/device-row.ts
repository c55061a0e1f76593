import type { DeviceView, ProgressState } from '@signoff/contracts';
import { h } from '../ui/dom';
import { DEVICE_TYPE_LABEL, fullTime, locationLabel, progressLabel, STATUS_LABEL, timeAgo } from '../ui/format';
import { deviceIcon } from '../ui/icons';

/** A sign-out this page asked for and is following, as its row shows it. */
export interface FollowedSignOut {
  revocationId: string;
  state: ProgressState;
}

/**
 * One device as a list item. Every value from the API goes in as text: a device named
 * `<img src=x onerror=…>` is shown as those characters.
 */
export function deviceRow(device: DeviceView, followed: FollowedSignOut | undefined, onSignOut: (device: DeviceView) => void): HTMLLIElement {
  const signedOut = device.status === 'signed_out';
  const offline = device.status === 'offline' || device.status === 'logout_pending';
  // This browser has no control channel open, so presence calls it offline; it is plainly in use.
  const inUseHere = device.current && (device.status === 'offline' || device.status === 'online');
  const statusText = followed && !signedOut ? progressLabel(followed.state, offline) : inUseHere ? 'In use now: this page' : STATUS_LABEL[device.status];
  const pill = followed && !signedOut ? 'following' : inUseHere ? 'online' : device.status;
  const nameId = `device-name-${cssSafe(device.deviceId)}`;
  const details: Array<[string, string | null]> = [
    ['Type', DEVICE_TYPE_LABEL[device.type] ?? device.type],
    ['System', [device.os, device.appVersion].filter(Boolean).join(' · ') || null],
    ['Location', locationLabel(device.location)],
    ['Last profile', device.lastProfileName ?? null],
    ['Last watched', device.lastWatchedAt ? `${timeAgo(device.lastWatchedAt)}${device.lastWatchedTitleId ? ` (${device.lastWatchedTitleId})` : ''}` : null],
    ['Signed in', device.signedInAt ? fullTime(device.signedInAt) : null],
    ['Last active', timeAgo(device.lastActiveAt)],
  ];
  return h(
    'li',
    {
      class: `device status-${device.status}${device.current ? ' current' : ''}${followed && !signedOut ? ' following' : ''}`,
      'data-device-id': device.deviceId,
      'data-status': device.status,
      'aria-labelledby': nameId,
    },
    h('div', { class: 'device-head' }, deviceIcon(device.type), h('h3', { class: 'device-name', id: nameId }, device.name), device.current ? h('span', { class: 'badge badge-current' }, 'This device') : null),
    h('p', { class: `device-status status-pill pill-${pill}`, 'data-testid': 'device-status', role: 'status' }, statusText),
    h('dl', { class: 'device-details' }, ...details.filter(([, value]) => value !== null).flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value as string)])),
    !signedOut && device.status !== 'logout_pending' && !device.current && !followed
      ? h('button', { type: 'button', class: 'button button-secondary', 'aria-describedby': nameId, onclick: () => onSignOut(device) }, 'Sign out')
      : null,
  );
}

/** Device ids may hold `.`/`:`; ids used in attributes get a conservative alphabet. */
function cssSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_');
}
