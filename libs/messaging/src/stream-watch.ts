import { Logger } from '@nestjs/common';
import { StreamDefinition } from '@signoff/contracts';
import { NatsConnection, StreamInfo } from 'nats';
import { NatsHealth } from './nats-health';
import { NatsNamespace } from './nats-namespace';
import { ensureStream, StreamDeployment } from './streams';

/** A stream that was recreated (its store lost, or deleted and made again) since last seen. */
export interface StreamReset {
  definition: StreamDefinition;
  name: string;
  /** Creation time of the stream we knew. */
  previousCreated: string;
  info: StreamInfo;
}

export interface StreamWatchOptions {
  /** How often every stream is looked at (and after every reconnect, at once). */
  intervalMs: number;
}

type Listener<T> = (value: T) => void | Promise<void>;

/**
 * Keeps this service's streams in existence and notices when one was lost. A stream whose
 * store was wiped comes back (from whoever looks first) with a new creation time: every
 * service that knew the old one hears `onReset` and repairs what the old stream held for it
 * (gateways rebuild their view, the registry recreates its consumers, auth-service republishes
 * from its outbox). `onInfo` hears each look, for consumers that check they keep up.
 */
export class StreamWatch {
  private readonly logger = new Logger(StreamWatch.name);
  private readonly known = new Map<string, StreamInfo>();
  private readonly resetListeners: Array<Listener<StreamReset>> = [];
  private readonly infoListeners: Array<Listener<StreamInfo>> = [];
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly health: NatsHealth,
    private readonly namespace: NatsNamespace,
    private readonly definitions: readonly StreamDefinition[],
    private readonly deployment: StreamDeployment,
    private readonly options: StreamWatchOptions,
  ) {}

  /**
   * Starts looking, and resolves after the first look has created or raised every stream. When
   * that look fails it throws, but the watch goes on looking; calling `start` again only looks.
   */
  async start(): Promise<void> {
    if (!this.timer) {
      this.health.onChange((connected) => {
        if (connected) void this.checkQuietly();
      });
      this.timer = setInterval(() => void this.checkQuietly(), this.options.intervalMs);
      this.timer.unref();
    }
    await this.checkNow();
  }

  /** Stops looking; resolves once a look in progress has ended, however it ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.checking?.catch(() => undefined);
  }

  onReset(listener: Listener<StreamReset>): void {
    this.resetListeners.push(listener);
  }

  /** Hears every look; a listener added after a look hears the latest one of each stream at once. */
  onInfo(listener: Listener<StreamInfo>): void {
    this.infoListeners.push(listener);
    for (const info of this.known.values()) void this.notify([listener], info, `info of ${info.config.name}`);
  }

  /** The stream as last seen (after `start`), by its definition. */
  info(definition: StreamDefinition): StreamInfo | undefined {
    return this.known.get(this.namespace.streamName(definition));
  }

  /** One look at every stream; concurrent calls share the look in progress. Throws when NATS does not answer. */
  checkNow(): Promise<void> {
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** A look from the timer or a reconnect: a failure is logged once per outage, not per look. */
  private async checkQuietly(): Promise<void> {
    try {
      await this.checkNow();
      if (this.failures > 0) this.logger.log(`streams reachable again after ${this.failures} failed look(s)`);
      this.failures = 0;
    } catch (error) {
      if (this.failures++ === 0) this.logger.warn(`cannot look at the streams: ${(error as Error).message}`);
    }
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    const jsm = await this.nc.jetstreamManager({ timeout: 5_000 });
    for (const definition of this.definitions) {
      const info = await ensureStream(jsm, this.namespace, definition, this.deployment);
      const name = info.config.name;
      const previous = this.known.get(name);
      this.known.set(name, info);
      if (previous && previous.created !== info.created) {
        this.logger.error(`stream ${name} was recreated (created ${previous.created}, now ${info.created}): its messages were lost; repairing`);
        await this.notify(this.resetListeners, { definition, name, previousCreated: previous.created, info }, `reset of ${name}`);
      }
      await this.notify(this.infoListeners, info, `info of ${name}`);
    }
  }

  private async notify<T>(listeners: Array<Listener<T>>, value: T, what: string): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(value);
      } catch (error) {
        this.logger.error(`${what}: listener failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Whether a stream could hold everything published in the last `windowMs` (it is older than that). */
export function streamCovers(info: StreamInfo, windowMs: number, now = Date.now()): boolean {
  return Date.parse(info.created) <= now - windowMs;
}

/** The deployment settings a watch reads (every service's config has them). */
export interface StreamWatchSettings {
  NATS_NAMESPACE: string;
  NATS_STREAM_REPLICAS: number;
  STREAM_CHECK_INTERVAL_MS: number;
}

/** A watch over `streams` as this deployment runs them; not started. */
export function streamWatchFor(nc: NatsConnection, health: NatsHealth, settings: StreamWatchSettings, streams: readonly StreamDefinition[]): StreamWatch {
  return new StreamWatch(nc, health, new NatsNamespace(settings.NATS_NAMESPACE), streams, { replicas: settings.NATS_STREAM_REPLICAS }, {
    intervalMs: settings.STREAM_CHECK_INTERVAL_MS,
  });
}
