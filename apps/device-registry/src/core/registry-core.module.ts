import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { connectNats, NatsHealth, NatsNamespace, StreamWatch, streamWatchFor } from '@signoff/messaging';
import { createServiceDataSource, TransactionContext } from '@signoff/persistence';
import { Readiness } from '@signoff/service-kit';
import Redis from 'ioredis';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { RegistryConfig } from '../config/registry.config';
import { REGISTRY_MIGRATIONS, REGISTRY_SCHEMA } from '../migrations';
import { Database } from './database';
import { NATS_CONNECTION, REDIS } from './tokens';

/** Registers the dependency checks and lets go of every connection last, after the consumers stopped. */
@Injectable()
class CoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RegistryCore');

  constructor(
    private readonly readiness: Readiness,
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly natsHealth: NatsHealth,
    private readonly watch: StreamWatch,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: 'postgres',
      check: async () => {
        await this.dataSource.query('SELECT 1');
        return true;
      },
    });
    this.readiness.register({ name: 'nats', check: () => this.natsHealth.healthy });
    // Redis holds live status only, which the registry shows and never decides on.
    this.readiness.register({ name: 'redis', check: () => this.redis.status === 'ready', required: false });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch.stop();
    this.redis.disconnect();
    await this.nc.close().catch((error: unknown) => this.logger.warn(`closing NATS: ${(error as Error).message}`));
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The process-wide resources every feature uses: config, Postgres, Redis, our own NATS
 * connection (for JetStream; Nest's transport has its own), and the readiness registry.
 */
@Global()
@Module({})
export class RegistryCoreModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryCoreModule,
      providers: [
        { provide: RegistryConfig, useValue: config },
        { provide: Readiness, useValue: new Readiness() },
        { provide: NatsNamespace, useValue: new NatsNamespace(config.NATS_NAMESPACE) },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createServiceDataSource({
              url: config.DATABASE_URL,
              schema: REGISTRY_SCHEMA,
              entities: [],
              migrations: REGISTRY_MIGRATIONS,
              poolSize: config.DATABASE_POOL_SIZE,
              applicationName: 'device-registry',
            });
            return dataSource.initialize();
          },
        },
        {
          provide: TransactionContext,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new TransactionContext(dataSource),
        },
        {
          provide: Database,
          inject: [DataSource, TransactionContext],
          useFactory: (dataSource: DataSource, tx: TransactionContext) => new Database(dataSource, tx),
        },
        { provide: REDIS, useFactory: () => createRedis(config) },
        { provide: NATS_CONNECTION, useFactory: () => connectNats(config.NATS_URL, 'device-registry') },
        { provide: NatsHealth, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new NatsHealth(nc) },
        {
          // Not started here: the event consumers start it, and keep trying while JetStream is away.
          provide: StreamWatch,
          inject: [NATS_CONNECTION, NatsHealth],
          useFactory: (nc: NatsConnection, health: NatsHealth) => streamWatchFor(nc, health, config, [Stream.security, Stream.progress, Stream.parked]),
        },
        CoreLifecycle,
      ],
      exports: [RegistryConfig, Readiness, NatsNamespace, DataSource, TransactionContext, Database, REDIS, NATS_CONNECTION, NatsHealth, StreamWatch],
    };
  }
}

/**
 * Redis holds live state only (presence, what is playing), which the registry shows and never
 * decides on: commands fail fast instead of queueing, and a Redis outage does not stop the start.
 */
async function createRedis(config: RegistryConfig): Promise<Redis> {
  const logger = new Logger('Redis');
  const redis = new Redis(config.REDIS_URL, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let failing = false;
  // Without a listener ioredis reports every failed reconnect as an unhandled error; log the
  // outage once and its end once.
  redis.on('error', (error: Error) => {
    if (!failing) logger.warn(`Redis unavailable: ${error.message}`);
    failing = true;
  });
  redis.on('ready', () => {
    if (failing) logger.log('Redis available again');
    failing = false;
  });
  await redis.connect().catch(() => undefined);
  return redis;
}
