import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DeviceProgressEvent, EventSubject } from '@signoff/contracts';
import { EventPublisher } from '@signoff/messaging';
import { randomUUID } from 'node:crypto';
import { GATEWAY_ID } from '../infrastructure/tokens';

export interface DeviceRef {
  revocationId: string;
  accountId: string;
  deviceId: string;
  sessionId: string;
}

type ProgressSubject = typeof EventSubject.deviceCut | typeof EventSubject.deviceLogoutAcknowledged | typeof EventSubject.deviceLoggedOutOnReconnect;

interface Pending {
  subject: ProgressSubject;
  payload: DeviceProgressEvent & { via?: 'websocket' | 'refresh' };
}

const MAX_QUEUED = 100_000;

/**
 * Reports what happened to each device (cut, acknowledged, signed out on reconnect) to the
 * registry through JetStream. A report that cannot be published now (broker away) waits in
 * memory and is retried with backoff; the registry applies reports idempotently.
 */
@Injectable()
export class ProgressReporter implements OnApplicationShutdown {
  private readonly logger = new Logger(ProgressReporter.name);
  private readonly queue: Pending[] = [];
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 100;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(GATEWAY_ID) private readonly gatewayId: string,
  ) {}

  cut(device: DeviceRef): void {
    this.report(EventSubject.deviceCut, this.event(device));
  }

  acknowledged(device: DeviceRef): void {
    this.report(EventSubject.deviceLogoutAcknowledged, this.event(device));
  }

  loggedOutOnReconnect(device: DeviceRef, via: 'websocket' | 'refresh'): void {
    this.report(EventSubject.deviceLoggedOutOnReconnect, { ...this.event(device), via });
  }

  /** Reports still waiting for the broker (for readiness and tests). */
  get backlog(): number {
    return this.queue.length;
  }

  onApplicationShutdown(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.queue.length > 0) this.logger.warn(`${this.queue.length} progress reports not delivered at shutdown`);
  }

  private event(device: DeviceRef): DeviceProgressEvent {
    return { eventId: randomUUID(), occurredAt: new Date().toISOString(), gatewayId: this.gatewayId, ...device };
  }

  private report(subject: ProgressSubject, payload: Pending['payload']): void {
    this.publisher.publishRaw(subject, payload).catch((error: unknown) => {
      this.logger.warn(`revocation ${payload.revocationId} device ${payload.deviceId}: ${subject} queued: ${(error as Error).message}`);
      this.enqueue({ subject, payload });
    });
  }

  private enqueue(item: Pending): void {
    if (this.queue.length >= MAX_QUEUED) this.queue.shift();
    this.queue.push(item);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.retry(), this.retryDelayMs);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      try {
        await this.publisher.publishRaw(next.subject, next.payload);
        this.queue.shift();
        this.retryDelayMs = 100;
      } catch {
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
        this.scheduleRetry();
        return;
      }
    }
  }
}
