import type { DeviceView } from '@signoff/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { Dialog, dialogActions } from '../ui/dialog';
import { announce, h, replaceChildren } from '../ui/dom';
import { isFinalProgress } from '../ui/format';
import { deviceRow, FollowedSignOut } from './device-row';
import { passwordForm } from './password.form';
import { ProgressPanel } from './progress.panel';
import { stepUpForm } from './step-up.form';

const REFRESH_MS = 5_000;
const REFRESH_WHILE_FOLLOWING_MS = 750;

/** Devices first, current one on top, signed-out ones last (they stay listed as history). */
function byRelevance(a: DeviceView, b: DeviceView): number {
  const rank = (d: DeviceView): number => (d.current ? 0 : d.status === 'signed_out' ? 2 : 1);
  return rank(a) - rank(b) || (b.lastActiveAt ?? '').localeCompare(a.lastActiveAt ?? '');
}

/**
 * "Manage access and devices": the device list (refreshing itself while the page is visible),
 * sign out one, sign out all with a live progress panel, change password.
 */
export class AccountView {
  readonly element: HTMLElement;
  private devices: DeviceView[] = [];
  private readonly followed = new Map<string, FollowedSignOut>();
  private readonly list = h('ul', { class: 'devices', 'data-testid': 'device-list' });
  private readonly notice = h('p', { class: 'notice', role: 'status', hidden: true, 'data-testid': 'page-notice' });
  private readonly progressSlot = h('div', { class: 'progress-slot' });
  private panel: ProgressPanel | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly onVisibility = (): void => {
    if (!document.hidden) this.scheduleRefresh(0);
  };

  constructor(private readonly api: ApiClient) {
    const signOutAll = h('button', { type: 'button', class: 'button button-danger', 'data-testid': 'sign-out-all' }, 'Sign out of all devices');
    signOutAll.addEventListener('click', () => this.confirmSignOutAll());
    this.element = h(
      'div',
      { class: 'account' },
      h(
        'section',
        { class: 'panel intro', 'aria-labelledby': 'devices-title' },
        h('h2', { id: 'devices-title' }, 'Your devices'),
        h(
          'p',
          {},
          'Every device signed in to your account. Sign one out, or all of them at once: streams stop within a second, and a device that is off is signed out the moment it connects.',
        ),
        signOutAll,
      ),
      this.notice,
      this.progressSlot,
      h('section', { class: 'device-section', 'aria-label': 'Devices' }, this.list),
      h(
        'p',
        { class: 'attribution' },
        'Locations are approximate, looked up from each device’s internet address. ',
        h('a', { href: 'https://db-ip.com', rel: 'noopener noreferrer' }, 'IP Geolocation by DB-IP'),
        ' (',
        h('a', { href: 'https://creativecommons.org/licenses/by/4.0/', rel: 'noopener noreferrer' }, 'CC BY 4.0'),
        ').',
      ),
      passwordForm(api, (revocationId) => {
        if (revocationId) this.showProgress(revocationId, 'Signing out every other device');
      }),
    );
    document.addEventListener('visibilitychange', this.onVisibility);
    this.scheduleRefresh(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.panel?.stop();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  private scheduleRefresh(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    if (document.hidden) return; // resumes on visibilitychange
    try {
      const [{ devices }] = await Promise.all([this.api.devices(), this.followProgress()]);
      this.devices = devices;
      this.renderList();
      if (this.notice.dataset.kind === 'refresh') announce(this.notice, '', 'info');
    } catch (error) {
      if (error instanceof ApiError && error.endsSession) return;
      this.notice.dataset.kind = 'refresh';
      announce(this.notice, 'The device list could not be updated just now; retrying.', 'error');
    }
    this.scheduleRefresh(this.followed.size > 0 ? REFRESH_WHILE_FOLLOWING_MS : REFRESH_MS);
  }

  /** Updates the state of every single-device sign-out this page is following. */
  private async followProgress(): Promise<void> {
    await Promise.all(
      [...this.followed].map(async ([deviceId, followed]) => {
        const progress = await this.api.progress(followed.revocationId);
        const state = progress.devices.find((d) => d.deviceId === deviceId)?.state ?? followed.state;
        if (isFinalProgress(state)) this.followed.delete(deviceId);
        else this.followed.set(deviceId, { ...followed, state });
      }),
    );
  }

  private renderList(): void {
    const sorted = [...this.devices].sort(byRelevance);
    if (sorted.length === 0) {
      replaceChildren(this.list, h('li', { class: 'empty' }, 'No devices are signed in.'));
      return;
    }
    replaceChildren(this.list, ...sorted.map((device) => deviceRow(device, this.followed.get(device.deviceId), (d) => this.confirmSignOut(d))));
  }

  private confirmSignOut(device: DeviceView): void {
    const dialog = new Dialog(`Sign out “${device.name}”?`, { testId: 'confirm-sign-out' });
    const confirm = h('button', { type: 'button', class: 'button button-danger' }, `Sign out ${device.name}`);
    const message = h('p', { class: 'notice', role: 'alert', hidden: true });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        const { revocationId } = await this.api.signOutDevice(device.deviceId);
        this.followed.set(device.deviceId, { revocationId, state: 'pending' });
        dialog.close();
        announce(this.notice, `Signing out ${device.name}…`, 'info');
        this.renderList();
        this.scheduleRefresh(0);
      } catch (error) {
        announce(message, `${device.name} was not signed out: ${error instanceof ApiError ? error.message : 'something went wrong'}. Try again.`, 'error');
        confirm.disabled = false;
      }
    });
    dialog.show(
      h('p', {}, `“${device.name}” stops playing at once and has to sign in again to watch. Downloads on it are removed. Nothing else changes: profiles and viewing history stay.`),
      message,
      dialogActions(confirm, h('button', { type: 'button', class: 'button button-secondary', onclick: () => dialog.close() }, 'Cancel')),
    );
  }

  private confirmSignOutAll(): void {
    const dialog = new Dialog('Sign out of all devices?', { testId: 'confirm-sign-out-all' });
    const proceed = h('button', { type: 'button', class: 'button button-danger' }, 'Continue');
    proceed.addEventListener('click', () => this.verifySignOutAll(dialog));
    dialog.show(
      h(
        'ul',
        { class: 'consequences' },
        h('li', {}, 'Every device signed in to your account is signed out: TVs, phones, tablets, computers, consoles and browsers.'),
        h('li', {}, 'Every profile on them is signed out, and anything playing stops within a second.'),
        h('li', {}, 'Downloaded titles are removed from those devices.'),
        h('li', {}, 'Devices that are off are signed out the moment they next connect.'),
        h('li', {}, 'Nothing is deleted: your profiles, viewing history, lists and settings stay. Sign in again on any device to pick up where you were.'),
        h('li', {}, 'This browser stays signed in so you can watch it happen.'),
      ),
      dialogActions(proceed, h('button', { type: 'button', class: 'button button-secondary', onclick: () => dialog.close() }, 'Cancel')),
    );
  }

  private verifySignOutAll(dialog: Dialog): void {
    dialog.show(
      stepUpForm(this.api, {
        intro: "Confirm it's you: enter your password, or ask for a code by email.",
        submitLabel: 'Sign out of all devices',
        onCancel: () => dialog.close(),
        onVerified: async (reauthToken) => {
          // A failure here lands on the form, which says nothing was signed out and what to do.
          const { revocationId } = await this.api.signOutEverywhere(reauthToken);
          dialog.close();
          this.showProgress(revocationId, 'Signing out of all devices');
        },
      }),
    );
  }

  private showProgress(revocationId: string, title: string): void {
    this.panel?.stop();
    this.panel = new ProgressPanel(this.api, revocationId, title, () => this.devices, () => this.scheduleRefresh(0));
    replaceChildren(this.progressSlot, this.panel.element);
    this.panel.element.scrollIntoView({ block: 'nearest' });
    this.scheduleRefresh(0);
  }
}
