import { BeforeApplicationShutdown, Inject, Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventSubject, Stream } from '@signoff/contracts';
import { EventPublisher, NatsNamespace, StreamWatch } from '@signoff/messaging';
import { createServiceDataSource } from '@signoff/persistence';
import { Readiness } from '@signoff/service-kit';
import { ChildServer, createEmptyDatabase, expectEventually, startNatsServer, startRedisServer, TestDatabase, testServers, uniqueNamespace } from '@signoff/testing';
import Redis from 'ioredis';
import { NatsConnection, StreamInfo } from 'nats';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PlatformModule } from './platform.module';
import { PlatformSettings } from './platform-options';
import { NATS_CONNECTION, REDIS } from './tokens';

const RELAY_POOL = Symbol('RELAY_POOL');

/** A feature that still works in the shutdown phase features stop in: the platform closes after it. */
@Injectable()
class LastWords implements BeforeApplicationShutdown {
  said?: { published: boolean; wrote: boolean; stored: boolean };

  constructor(
    private readonly publisher: EventPublisher,
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const eventId = randomUUID();
    const [published, wrote, stored] = await Promise.all([
      this.publisher.publishRaw(EventSubject.keysRotated, { eventId }).then((ack) => ack.seq > 0),
      this.dataSource.query<Array<{ ok: number }>>('SELECT 1 AS ok').then(([row]) => row.ok === 1),
      this.redis.set(`last-words:${eventId}`, '1', 'EX', 10).then((reply) => reply === 'OK'),
    ].map((attempt) => attempt.catch(() => false)));
    this.said = { published, wrote, stored };
  }
}

describe('PlatformModule', () => {
  let nats: ChildServer;
  let redisServer: ChildServer;
  let db: TestDatabase;
  let app: INestApplicationContext | undefined;
  let settings: PlatformSettings;

  beforeAll(async () => {
    [nats, redisServer, db] = await Promise.all([startNatsServer(), startRedisServer(), testServers().then((s) => createEmptyDatabase(s.adminDatabaseUrl))]);
    settings = {
      NATS_URL: nats.url,
      NATS_NAMESPACE: uniqueNamespace(),
      NATS_STREAM_REPLICAS: 1,
      STREAM_CHECK_INTERVAL_MS: 200,
      DATABASE_POOL_SIZE: 2,
      REDIS_URL: redisServer.url,
      REDIS_KEY_PREFIX: 'platform-test:',
      REDIS_COMMAND_TIMEOUT_MS: 500,
      RPC_TIMEOUT_MS: 1_000,
    };
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await Promise.all([nats?.dispose(), redisServer?.dispose()]);
    await db?.drop();
  });

  async function start(): Promise<INestApplicationContext> {
    @Module({
      imports: [
        PlatformModule.forRoot({
          service: 'platform-test',
          settings,
          streams: [Stream.security],
          database: {
            open: (pool) => createServiceDataSource({ url: db.url, schema: 'platform_test', entities: [], migrations: [], ...pool }),
            extraPools: [{ token: RELAY_POOL, poolSize: 1, applicationName: 'platform-test-relay' }],
          },
          redis: true,
        }),
      ],
      providers: [LastWords],
    })
    class TestServiceModule {}
    app = await NestFactory.createApplicationContext(TestServiceModule, { logger: false });
    await app.init();
    return app;
  }

  it('creates the streams, reports each dependency, and tells a late listener the latest look', async () => {
    const context = await start();
    const watch = context.get(StreamWatch);
    const info = watch.info(Stream.security);
    expect(info?.config.name).toBe(context.get(NatsNamespace).streamName(Stream.security));
    expect(info?.config.num_replicas).toBe(1);
    const heard = await new Promise<StreamInfo>((resolve) => watch.onInfo(resolve));
    expect(heard.created).toBe(info?.created);
    expect(await context.get(Readiness).evaluate()).toEqual({ ready: true, checks: { postgres: true, nats: true, redis: true } });
    const relayPool = context.get<DataSource>(RELAY_POOL);
    expect(relayPool.isInitialized).toBe(true);
    expect(relayPool).not.toBe(context.get(DataSource));
  });

  it('stays ready without Redis, and is not ready without NATS', async () => {
    const context = await start();
    const readiness = context.get(Readiness);
    await redisServer.kill();
    try {
      await expectEventually(async () => expect(await readiness.evaluate()).toEqual({ ready: true, checks: { postgres: true, nats: true, redis: false } }));
      await nats.kill();
      await expectEventually(async () => expect(await readiness.evaluate()).toMatchObject({ ready: false, checks: { nats: false } }));
    } finally {
      await Promise.all([redisServer.start(), nats.start()]);
    }
    await expectEventually(async () => expect(await readiness.evaluate()).toEqual({ ready: true, checks: { postgres: true, nats: true, redis: true } }));
  });

  it('reports Redis as failing while it stops answering within its timeout, and stays ready', async () => {
    const context = await start();
    const readiness = context.get(Readiness);
    const admin = new Redis(redisServer.url, { lazyConnect: true });
    await admin.connect();
    try {
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      await expect(readiness.evaluate()).resolves.toEqual({ ready: true, checks: { postgres: true, nats: true, redis: false } });
      await expectEventually(async () => expect(await readiness.evaluate()).toMatchObject({ checks: { redis: true } }), { timeoutMs: 5_000 });
    } finally {
      admin.disconnect();
    }
  });

  it('closes every connection after the features have stopped, which can still use them', async () => {
    const context = await start();
    const nc = context.get<NatsConnection>(NATS_CONNECTION);
    const redis = context.get<Redis>(REDIS);
    const pools = [context.get(DataSource), context.get<DataSource>(RELAY_POOL)];
    const feature = context.get(LastWords);
    await context.close();
    app = undefined;
    expect(feature.said).toEqual({ published: true, wrote: true, stored: true });
    expect(nc.isClosed()).toBe(true);
    await expectEventually(() => expect(redis.status).toBe('end'));
    expect(pools.map((pool) => pool.isInitialized)).toEqual([false, false]);
  });

  it('shuts down while NATS is away without waiting for it, and leaves no connection trying to reconnect', async () => {
    const context = await start();
    const nc = context.get<NatsConnection>(NATS_CONNECTION);
    await nats.kill();
    try {
      await expectEventually(async () => expect(await context.get(Readiness).evaluate()).toMatchObject({ checks: { nats: false } }));
      await context.close();
      app = undefined;
      expect(nc.isClosed()).toBe(true);
    } finally {
      await nats.start();
    }
  });
});
