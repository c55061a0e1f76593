import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { connectNats, EventPublisher, NatsHealth, NatsNamespace, StreamWatch, streamWatchFor } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';
import { createRpcClient, Readiness } from '@signoff/service-kit';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { OPEN_DATA_SOURCES, PlatformLifecycle } from './platform-lifecycle';
import { PlatformOptions, PoolSettings } from './platform-options';
import { connectRedis } from './redis';
import { NATS_CONNECTION, REDIS, RPC_CLIENT } from './tokens';

/**
 * What every service stands on, wired once: the NATS connection for JetStream with its health
 * rule (`NatsHealth`), the stream watch over the service's streams, the event publisher, the
 * Postgres pools with the ambient transaction, Redis, the RPC client, readiness of each
 * dependency, and the shutdown order (see `PlatformLifecycle`). Features register their own
 * readiness checks (a view caught up, consumers running) on the `Readiness` it provides.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { settings } = options;
    // Connection names as `nats connz` shows them: `playback-gateway-events:<id>`, `auth-service-rpc`.
    const connectionName = (purpose: string) => `${options.service}-${purpose}${options.instance ? `:${options.instance}` : ''}`;
    const namespace = new NatsNamespace(settings.NATS_NAMESPACE);
    // Closed at shutdown in the reverse order of opening.
    const dataSources: DataSource[] = [];

    const providers: Provider[] = [
      { provide: NatsNamespace, useValue: namespace },
      { provide: NATS_CONNECTION, useFactory: () => connectNats(options.eventsNatsUrl || settings.NATS_URL, connectionName('events')) },
      { provide: NatsHealth, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new NatsHealth(nc) },
      {
        provide: StreamWatch,
        inject: [NATS_CONNECTION, NatsHealth],
        useFactory: (nc: NatsConnection, health: NatsHealth) => streamWatchFor(nc, health, settings, options.streams),
      },
      { provide: EventPublisher, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new EventPublisher(nc.jetstream(), namespace) },
      { provide: OPEN_DATA_SOURCES, useValue: dataSources },
      { provide: Readiness, useValue: new Readiness() },
      PlatformLifecycle,
    ];
    const exported: NonNullable<DynamicModule['exports']> = [NatsNamespace, NATS_CONNECTION, NatsHealth, StreamWatch, EventPublisher, Readiness];

    const { database } = options;
    if (database) {
      const openPool = async (pool: PoolSettings): Promise<DataSource> => {
        const dataSource = database.open(pool);
        dataSources.unshift(dataSource);
        return dataSource.initialize();
      };
      providers.push(
        { provide: DataSource, useFactory: () => openPool({ poolSize: settings.DATABASE_POOL_SIZE, applicationName: options.service }) },
        { provide: TransactionContext, inject: [DataSource], useFactory: (dataSource: DataSource) => new TransactionContext(dataSource) },
        ...(database.extraPools ?? []).map((pool) => ({ provide: pool.token, useFactory: () => openPool(pool) })),
      );
      exported.push(DataSource, TransactionContext, ...(database.extraPools ?? []).map((pool) => pool.token));
    }
    if (options.redis) {
      providers.push({ provide: REDIS, useFactory: () => connectRedis(settings, connectionName('live-state')) });
      exported.push(REDIS);
    }
    if (options.rpcClient) {
      providers.push({
        provide: RPC_CLIENT,
        useFactory: () => createRpcClient({ natsUrl: settings.NATS_URL, namespace: settings.NATS_NAMESPACE, name: connectionName('rpc'), timeoutMs: settings.RPC_TIMEOUT_MS }),
      });
      exported.push(RPC_CLIENT);
    }
    return { module: PlatformModule, providers, exports: exported };
  }
}
