import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DeviceProgressEvent, DeviceProgressItem, EventSubject, MAX_PROGRESS_ITEMS } from '@signoff/contracts';
import { EventPublisher } from '@signoff/messaging';
import { RepeatingTask } from '@signoff/service-kit';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { GATEWAY_ID } from '../infrastructure/tokens';
import { REDIS } from '@signoff/platform';

export type DeviceRef = Omit<DeviceProgressItem, 'occurredAt'>;

const PROGRESS_SUBJECTS = [EventSubject.deviceCut, EventSubject.deviceLogoutAcknowledged, EventSubject.deviceLoggedOutOnReconnect] as const;
type ProgressSubject = (typeof PROGRESS_SUBJECTS)[number];
type Via = 'websocket' | 'refresh';
type ProgressMessage = DeviceProgressEvent & { via?: Via };
interface Report {
  subject: ProgressSubject;
  message: ProgressMessage;
}

/** Reports wait this long to travel together: one message per burst instead of one per device. */
const COALESCE_MS = 5;
const MAX_QUEUED_MESSAGES = 10_000;
/**
 * Reports not yet on the broker, shared by every gateway of the deployment: a sorted set of
 * `{subject, message}` JSON by the time it was written (gateway-only, hence not in `RedisKey`).
 */
export const UNDELIVERED_REPORTS_KEY = 'progress-reports:undelivered';
/** How often each gateway republishes what is waiting in Redis, its own and dead peers' alike. */
const REDELIVERY_INTERVAL_MS = 1_000;
/** Younger entries are left to the gateway that wrote them: its first publish is still under way. */
const REDELIVERY_GRACE_MS = 5_000;
const REDELIVERY_BATCH = 100;

/**
 * Reports what happened to each device (cut, acknowledged, signed out on reconnect) to the
 * registry through JetStream, coalescing the reports of a few milliseconds into one message per
 * kind. A report must outlive the gateway that made it: a device cut while the broker is away
 * will not come back to be reported again, and its revocation would stay `pending` for ever.
 * So each message is written to Redis as it is published (Redis, because every gateway reaches
 * it and a dead one's entries are picked up by any other; a gateway has no disk of its own) and
 * removed once JetStream acknowledges it. Every gateway republishes entries older than a few
 * seconds, under their event id: JetStream drops a duplicate and the registry applies reports
 * idempotently. With Redis away too, a message that cannot be published waits in memory and is
 * retried with backoff, as before.
 */
@Injectable()
export class ProgressReporter implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProgressReporter.name);
  private readonly pending = new Map<string, { subject: ProgressSubject; via?: Via; devices: DeviceProgressItem[] }>();
  private flushTimer?: NodeJS.Timeout;
  private readonly retryQueue: Report[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 100;
  private readonly redelivery = new RepeatingTask('progress report redelivery', () => REDELIVERY_INTERVAL_MS, () => this.redeliver(), this.logger);
  private redisFailing = false;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(GATEWAY_ID) private readonly gatewayId: string,
    @Inject(REDIS) private readonly redis: Redis,
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

  /** Reports held in this process's memory, not yet delivered (for tests). */
  get backlog(): number {
    let devices = 0;
    for (const batch of this.pending.values()) devices += batch.devices.length;
    for (const item of this.retryQueue) devices += item.message.devices.length;
    return devices;
  }

  onApplicationBootstrap(): void {
    this.redelivery.start();
  }

  /** Delivers what is pending (called once no device can report any more); each report ends published, in Redis or in memory. */
  async stop(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.redelivery.stop();
    this.flush();
    // Each ends published, in Redis or in memory within the publish timeout.
    await Promise.all(this.inFlight);
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
    const delivery = this.deliver({ subject: batch.subject, message });
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Publishes while the report is being written to Redis, and removes it there once the broker has it. */
  private async deliver(report: Report): Promise<void> {
    const entry = JSON.stringify(report);
    const kept = this.keep(entry);
    try {
      await this.publisher.publishRaw(report.subject, report.message);
    } catch (error) {
      if (await kept) return;
      this.logger.warn(`${report.subject}: ${report.message.devices.length} report(s) queued in memory: ${(error as Error).message}`);
      return this.enqueue(report);
    }
    if (await kept) await this.forget(entry);
  }

  /** True once the entry is in Redis; false when Redis cannot take it (the caller keeps it in memory). */
  private async keep(entry: string): Promise<boolean> {
    try {
      // The oldest go first should the set ever reach its cap (a very long broker outage).
      const results = await this.redis
        .multi()
        .zadd(UNDELIVERED_REPORTS_KEY, Date.now(), entry)
        .zremrangebyrank(UNDELIVERED_REPORTS_KEY, 0, -(MAX_QUEUED_MESSAGES + 1))
        .exec();
      const failure = results?.find(([error]) => error)?.[0];
      if (!results || failure) throw failure ?? new Error('transaction discarded');
      this.redisRecovered();
      return true;
    } catch (error) {
      this.redisFailed(error);
      return false;
    }
  }

  private async forget(entry: string): Promise<void> {
    try {
      await this.redis.zrem(UNDELIVERED_REPORTS_KEY, entry);
    } catch (error) {
      // Left in Redis, it is published once more: harmless, it carries the same event id.
      this.redisFailed(error);
    }
  }

  /** Publishes what waits in Redis (this gateway's and any other's), oldest first, until the broker refuses. */
  private async redeliver(): Promise<void> {
    for (;;) {
      let entries: string[];
      try {
        entries = await this.redis.zrangebyscore(UNDELIVERED_REPORTS_KEY, '-inf', Date.now() - REDELIVERY_GRACE_MS, 'LIMIT', 0, REDELIVERY_BATCH);
      } catch (error) {
        return this.redisFailed(error);
      }
      for (const entry of entries) {
        const report = parseReport(entry);
        if (report) {
          try {
            await this.publisher.publishRaw(report.subject, report.message);
          } catch {
            return;
          }
          this.logger.log(`${report.subject}: ${report.message.devices.length} report(s) of gateway ${report.message.gatewayId} delivered from Redis`);
        }
        await this.forget(entry);
      }
      if (entries.length < REDELIVERY_BATCH) return;
    }
  }

  private enqueue(item: Report): void {
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

  private redisFailed(error: unknown): void {
    if (!this.redisFailing) this.logger.warn(`progress reports not kept in Redis: ${(error as Error).message}`);
    this.redisFailing = true;
  }

  private redisRecovered(): void {
    if (this.redisFailing) this.logger.log('progress reports kept in Redis again');
    this.redisFailing = false;
  }
}

/** An entry as `deliver` wrote it, or undefined for anything else (dropped, never retried). */
function parseReport(entry: string): Report | undefined {
  try {
    const report = JSON.parse(entry) as Partial<Report>;
    const known = (PROGRESS_SUBJECTS as readonly unknown[]).includes(report.subject);
    if (known && typeof report.message?.eventId === 'string' && Array.isArray(report.message.devices)) return report as Report;
  } catch {
    // fall through
  }
  return undefined;
}
