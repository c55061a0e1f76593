import { INestApplication } from '@nestjs/common';
import { DeviceActivityV1, EventHeader, EventMap, NoticeSubject, Stream, StreamDefinition } from '@signoff/contracts';
import { connectNats, EventPublisher, NamespacedNatsClient, NatsNamespace, natsTransportOptions } from '@signoff/messaging';
import { createRpcClient, RpcClient, startRpcService } from '@signoff/service-kit';
import { cleanupNamespace, createTestDatabase, expectEventually, migrationsKey, testServers, uniqueNamespace } from '@signoff/testing';
import Redis from 'ioredis';
import { headers as natsHeaders, PubAck } from 'nats';
import { lastValueFrom } from 'rxjs';
import { DeviceRegistryModule } from '../app.module';
import { loadRegistryConfig, RegistryConfig } from '../config/registry.config';
import { REGISTRY_MIGRATIONS, runRegistryMigrations } from '../migrations';
import { REGISTRY_CONSUMERS, SecurityEventsConsumer } from '../security-events/security-events.consumer';
import { SecurityEventsHandler } from '../security-events/security-events.handler';

/**
 * One running device-registry on real Postgres, Redis and NATS, isolated by its own database
 * clone, NATS namespace and Redis key prefix, plus the clients a spec drives it with.
 */
export interface RegistryHarness {
  app: INestApplication;
  config: RegistryConfig;
  rpc: RpcClient;
  /** A Redis client under the registry's key prefix: what gateways write, tests write. */
  redis: Redis;
  /** The registry's own event handler (for calling the handler path directly). */
  handler: SecurityEventsHandler;
  /** Publishes an event as the outbox relay does and resolves once the registry acknowledged it. */
  publish<K extends keyof EventMap>(subject: K, payload: EventMap[K]): Promise<PubAck>;
  /**
   * Stores the event in its stream again without a `Nats-Msg-Id`, so JetStream keeps the copy and
   * delivers it: what a redelivery after a broker restart looks like to the registry. Resolves
   * once the copy was acknowledged.
   */
  redeliver<K extends keyof EventMap>(subject: K, payload: EventMap[K]): Promise<PubAck>;
  /** Publishes an activity notice on core NATS (fire and forget, like the gateways). */
  notify(payload: DeviceActivityV1): Promise<void>;
  close(): Promise<void>;
}

export interface RegistryHarnessOptions {
  /** Environment overrides, e.g. a Redis of the spec's own to kill. */
  env?: Record<string, string>;
}

export async function startRegistryHarness(options: RegistryHarnessOptions = {}): Promise<RegistryHarness> {
  const servers = await testServers();
  const db = await createTestDatabase({
    adminUrl: servers.adminDatabaseUrl,
    templateKey: migrationsKey(REGISTRY_MIGRATIONS),
    migrate: runRegistryMigrations,
  });
  const namespace = uniqueNamespace();
  const redisPrefix = `${namespace}:`;
  const opened: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    await cleanupNamespace({ natsUrl: servers.natsUrl, namespace, redisUrl: servers.redisUrl, redisPrefix });
    await db.drop();
  };
  // From here on a failure still drops the database and the namespace.
  try {
    const config = loadRegistryConfig({
      DATABASE_URL: db.url,
      NATS_URL: servers.natsUrl,
      NATS_NAMESPACE: namespace,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: redisPrefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      ...options.env,
    });
    return await start(config, namespace, opened, closeAll);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function start(
  config: RegistryConfig,
  namespaceName: string,
  opened: Array<() => Promise<void>>,
  closeAll: () => Promise<void>,
): Promise<RegistryHarness> {
  const namespace = new NatsNamespace(namespaceName);
  const app = await startRpcService(DeviceRegistryModule.forRoot(config), {
    serviceName: 'device-registry',
    queue: 'device-registry',
    natsUrl: config.NATS_URL,
    namespace: config.NATS_NAMESPACE,
    httpHost: config.HTTP_HOST,
    httpPort: config.HTTP_PORT,
  });
  opened.push(() => app.close());
  // The streams exist once the consumers run; publishing before that would find no stream.
  const consumers = app.get(SecurityEventsConsumer);
  await expectEventually(() => expect(consumers.isStarted).toBe(true), { timeoutMs: 10_000 });

  const nc = await connectNats(config.NATS_URL, 'device-registry-test');
  opened.push(() => nc.close());
  const rpc = await createRpcClient({ natsUrl: config.NATS_URL, namespace: namespaceName, name: 'device-registry-test-client', timeoutMs: 5_000 });
  opened.push(() => rpc.close());
  // Notices go out the way gateways send them: Nest's client `emit` on core NATS.
  const notices = new NamespacedNatsClient(natsTransportOptions(config.NATS_URL, 'device-registry-test-notices'), namespace);
  await notices.connect();
  opened.push(() => notices.close());
  const redis = new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX, maxRetriesPerRequest: 1 });
  // Specs that kill their Redis see its errors through the registry's answers, not as log noise.
  redis.on('error', () => undefined);
  opened.push(async () => redis.disconnect());

  const publisher = new EventPublisher(nc.jetstream(), namespace);
  const jsm = await nc.jetstreamManager();

  /** Waits until the registry's durable consumer of that stream acknowledged everything up to `seq`. */
  const consumed = async (subject: string, ack: PubAck): Promise<PubAck> => {
    const { stream, durableName } = consumerFor(subject);
    await expectEventually(
      async () => {
        const info = await jsm.consumers.info(namespace.streamName(stream), durableName);
        expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(ack.seq);
      },
      { timeoutMs: 10_000 },
    );
    return ack;
  };

  return {
    app,
    config,
    rpc,
    redis,
    handler: app.get(SecurityEventsHandler),
    async publish(subject, payload) {
      return consumed(subject, await publisher.publish(subject, payload));
    },
    async redeliver(subject, payload) {
      const h = natsHeaders();
      h.set(EventHeader.eventId, payload.eventId);
      const ack = await nc.jetstream().publish(namespace.subject(subject), JSON.stringify(payload), { headers: h });
      return consumed(subject, ack);
    },
    async notify(payload) {
      await lastValueFrom(notices.emit(NoticeSubject.deviceActivity, payload), { defaultValue: undefined });
    },
    close: closeAll,
  };
}

function consumerFor(subject: string): { stream: StreamDefinition; durableName: string } {
  const stream = subject.startsWith('security.') ? Stream.security : Stream.progress;
  const found = REGISTRY_CONSUMERS.find((c) => c.stream === stream);
  if (!found) throw new Error(`no registry consumer for ${subject}`);
  return found;
}
