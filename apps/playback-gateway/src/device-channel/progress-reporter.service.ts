import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DeviceProgressEvent, DeviceProgressItem, EventSubject, MAX_PROGRESS_ITEMS } from '@signoff/contracts';
import { EventPublisher } from '@signoff/messaging';
import { randomUUID } from 'node:crypto';
import { GATEWAY_ID } from '../infrastructure/tokens';

export type DeviceRef = Omit<DeviceProgressItem, 'occurredAt'>;

type ProgressSubject = typeof EventSubject.deviceCut | typeof EventSubject.deviceLogoutAcknowledged | typeof EventSubject.deviceLoggedOutOnReconnect;
type Via = 'websocket' | 'refresh';
type ProgressMessage = DeviceProgressEvent & { via?: Via };

/** Reports wait this long to travel together: one message per burst instead of one per device. */
const COALESCE_MS = 5;
const MAX_QUEUED_MESSAGES = 10_000;

/**
 * Reports what happened to each device (cut, acknowledged, signed out on reconnect) to the
 * registry through JetStream, coalescing the reports of a few milliseconds into one message per
 * kind. A message that cannot be published now (broker away) waits in memory and is retried
 * with backoff under the same event id (JetStream drops a duplicate); the registry applies
 * reports idempotently.
 */
@Injectable()
export class ProgressReporter implements OnApplicationShutdown {
  private readonly logger = new Logger(ProgressReporter.name);
  private readonly pending = new Map<string, { subject: ProgressSubject; via?: Via; devices: DeviceProgressItem[] }>();
  private flushTimer?: NodeJS.Timeout;
  private readonly retryQueue: Array<{ subject: ProgressSubject; message: ProgressMessage }> = [];
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 100;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(GATEWAY_ID) private readonly gatewayId: string,
  ) {}

  cut(device: DeviceRef): void {
    this.add(EventSubject.deviceCut, device);
  }

  acknowledged(device: DeviceRef): void {
    this.add(EventSubject.deviceLogoutAcknowledged, device);
  }

  loggedOutOnReconnect(device: DeviceRef, via: Via): void {
    this.add(EventSubject.deviceLoggedOutOnReconnect, device, via);
  }

  /** Reports not yet delivered to the broker (for readiness and tests). */
  get backlog(): number {
    let devices = 0;
    for (const batch of this.pending.values()) devices += batch.devices.length;
    for (const item of this.retryQueue) devices += item.message.devices.length;
    return devices;
  }

  onApplicationShutdown(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.flush();
    if (this.retryQueue.length > 0) this.logger.warn(`${this.backlog} progress reports not delivered at shutdown`);
  }

  private add(subject: ProgressSubject, device: DeviceRef, via?: Via): void {
    const key = via ? `${subject} ${via}` : subject;
    let batch = this.pending.get(key);
    if (!batch) this.pending.set(key, (batch = { subject, via, devices: [] }));
    batch.devices.push({ ...device, occurredAt: new Date().toISOString() });
    if (batch.devices.length >= MAX_PROGRESS_ITEMS) this.send(key);
    else this.flushTimer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const key of [...this.pending.keys()]) this.send(key);
  }

  private send(key: string): void {
    const batch = this.pending.get(key);
    this.pending.delete(key);
    if (!batch || batch.devices.length === 0) return;
    const message: ProgressMessage = {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      gatewayId: this.gatewayId,
      devices: batch.devices,
      ...(batch.via ? { via: batch.via } : {}),
    };
    this.publisher.publishRaw(batch.subject, message).catch((error: unknown) => {
      this.logger.warn(`${batch.subject}: ${batch.devices.length} report(s) queued: ${(error as Error).message}`);
      this.enqueue({ subject: batch.subject, message });
    });
  }

  private enqueue(item: { subject: ProgressSubject; message: ProgressMessage }): void {
    if (this.retryQueue.length >= MAX_QUEUED_MESSAGES) this.retryQueue.shift();
    this.retryQueue.push(item);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.retry(), this.retryDelayMs);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    while (this.retryQueue.length > 0) {
      const next = this.retryQueue[0];
      try {
        await this.publisher.publishRaw(next.subject, next.message);
        this.retryQueue.shift();
        this.retryDelayMs = 100;
      } catch {
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
        this.scheduleRetry();
        return;
      }
    }
  }
}
