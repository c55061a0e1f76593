import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { NatsHealth, StreamWatch } from '@signoff/messaging';
import { Readiness, RpcClient } from '@signoff/service-kit';
import Redis from 'ioredis';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { NATS_CONNECTION, REDIS, RPC_CLIENT } from './tokens';

export const OPEN_DATA_SOURCES = Symbol('OPEN_DATA_SOURCES');

/** Longest a shutdown waits for the JetStream connection to flush before closing it anyway. */
const DRAIN_TIMEOUT_MS = 2_000;

/**
 * Registers the readiness of each dependency, starts the stream watch, and closes every
 * connection, last. The platform module is global, so
 * Nest calls its hooks before any feature's in each phase: features stop their loops, relays and
 * consumers in `onModuleDestroy` or `beforeApplicationShutdown` (both phases end before this
 * one begins), and may still publish or write there; connections close here in
 * `onApplicationShutdown`, the last phase.
 */
@Injectable()
export class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Platform');

  constructor(
    private readonly watch: StreamWatch,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(OPEN_DATA_SOURCES) private readonly dataSources: DataSource[],
    private readonly health: NatsHealth,
    readiness: Readiness,
    @Optional() dataSource?: DataSource,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
    @Optional() @Inject(RPC_CLIENT) private readonly rpc?: RpcClient,
  ) {
    // A dependency makes the service unready only when the service cannot do its work without it.
    if (dataSource) readiness.register({ name: 'postgres', check: async () => (await dataSource.query('SELECT 1 AS ok')).length === 1 });
    readiness.register({ name: 'nats', check: () => health.healthy });
    // Live state only: stream starts and live status fail on their own (503) while it is away,
    // and a load balancer would otherwise take every replica out at once for it.
    // Connected is not enough: a Redis that stops answering (within the command timeout) is reported too.
    if (redis) readiness.register({ name: 'redis', check: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG', required: false });
  }

  /**
   * The first look creates or raises the streams. Without JetStream yet the service still
   * starts: the watch keeps looking, and what needs the streams stays unready until then.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.watch.start().catch((error: unknown) => this.logger.warn(`streams not reachable yet: ${(error as Error).message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch.stop();
    await Promise.allSettled([this.rpc?.close(), this.closeNats()]);
    this.redis?.disconnect();
    for (const dataSource of this.dataSources) {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
    this.logger.log('connections closed');
  }

  /**
   * Drains while the broker is there (what was published goes out), closes when it is not: a
   * drain waits for a reconnect that may never come, and a connection left reconnecting keeps
   * the process alive for ever.
   */
  private async closeNats(): Promise<void> {
    if (this.nc.isClosed()) return;
    if (this.health.healthy) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        this.nc.drain().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (drained) return;
    }
    await this.nc.close().catch(() => undefined);
  }
}
