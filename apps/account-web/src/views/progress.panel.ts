import type { DeviceView, RevocationProgressReply } from '@signoff/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { h, replaceChildren } from '../ui/dom';
import { isFinalProgress, progressLabel } from '../ui/format';

/** Online devices normally confirm in well under a second; after this long the panel says so. */
const SLOW_AFTER_MS = 30_000;

/**
 * "Signing out of all devices", device by device: streams cut, devices that confirmed, devices
 * still offline (signed out the moment they connect). Polls the revocation's progress until
 * every device is done, faster while online devices are still on their way.
 */
export class ProgressPanel {
  readonly element: HTMLElement;
  private readonly startedAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    private readonly revocationId: string,
    private readonly title: string,
    private readonly devices: () => DeviceView[],
    private readonly onDone: () => void,
  ) {
    this.element = h('section', { class: 'panel progress-panel', 'data-testid': 'progress-panel', 'aria-live': 'polite', 'aria-busy': 'true' }, h('h2', {}, title), h('p', {}, 'Signing out…'));
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    let nextInMs = 500;
    try {
      const progress = await this.api.progress(this.revocationId);
      const done = this.render(progress);
      if (done) {
        this.element.setAttribute('aria-busy', 'false');
        this.onDone();
        // Offline devices settle when they reconnect: keep watching them, gently.
        if (progress.devices.every((d) => isFinalProgress(d.state))) return;
        nextInMs = 2_000;
      }
    } catch (error) {
      if (error instanceof ApiError && error.endsSession) return;
      // The sign-out itself is recorded; only our view of it is late. The next reading replaces this.
      this.showLostTrack();
      nextInMs = 2_000;
    }
    this.timer = setTimeout(() => void this.poll(), nextInMs);
  }

  /** Renders one reading; true when nothing is left that could happen now (only offline devices remain). */
  private render(progress: RevocationProgressReply): boolean {
    const known = new Map(this.devices().map((d) => [d.deviceId, d]));
    const isOffline = (deviceId: string): boolean => {
      const status = known.get(deviceId)?.status;
      return status === 'offline' || status === 'logout_pending';
    };
    const final = progress.devices.filter((d) => isFinalProgress(d.state));
    const cut = progress.devices.filter((d) => d.state === 'cut');
    const waitingOffline = progress.devices.filter((d) => d.state === 'pending' && isOffline(d.deviceId));
    const inFlight = progress.devices.filter((d) => !isFinalProgress(d.state) && !(d.state === 'pending' && isOffline(d.deviceId)));
    const done = inFlight.length === 0;
    const slow = !done && Date.now() - this.startedAt > SLOW_AFTER_MS;

    const summary =
      progress.devices.length === 0
        ? 'There were no other devices signed in. Nothing else to do.'
        : done && waitingOffline.length === 0
          ? `Done: all ${progress.devices.length} ${plural(progress.devices.length, 'device')} signed out.`
          : done
            ? `Done for every device that is on. ${waitingOffline.length} ${plural(waitingOffline.length, 'device is', 'devices are')} offline and will be signed out the moment ${waitingOffline.length === 1 ? 'it connects' : 'they connect'}; until then ${waitingOffline.length === 1 ? 'it' : 'they'} can't play anything.`
            : `${final.length} of ${progress.devices.length} signed out${cut.length > 0 ? `, ${cut.length} ${plural(cut.length, 'stream')} stopped` : ''}…`;

    replaceChildren(
      this.element,
      h('h2', {}, this.title),
      h('p', { class: `progress-summary${done ? ' is-done' : ''}`, 'data-testid': 'progress-summary' }, summary),
      slow
        ? h(
            'p',
            { class: 'notice notice-error', role: 'alert' },
            "Some devices haven't confirmed yet. Their access already ended, so they can't play anything, but if one still looks signed in, change your password below: that signs every device out again.",
          )
        : null,
      h(
        'ol',
        { class: 'progress-list' },
        ...progress.devices.map((d) =>
          h(
            'li',
            { class: `progress-item state-${d.state}`, 'data-device-id': d.deviceId, 'data-state': d.state },
            h('span', { class: 'progress-name' }, d.name),
            h('span', { class: 'progress-state' }, progressLabel(d.state, isOffline(d.deviceId))),
          ),
        ),
      ),
    );
    return done;
  }

  private showLostTrack(): void {
    if (this.element.querySelector('.progress-error')) return;
    this.element.appendChild(
      h('p', { class: 'notice notice-error progress-error', role: 'alert' }, 'We lost track of the progress for a moment. The sign-out is recorded and carries on; retrying…'),
    );
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many;
}
