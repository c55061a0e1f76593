import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { connectNats, EventPublisher, ensureStream, NatsNamespace } from '@signoff/messaging';
import { createRpcClient, Readiness, RpcClient } from '@signoff/service-kit';
import Redis from 'ioredis';
import { NatsConnection } from 'nats';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG, GATEWAY_ID, NATS_CONNECTION, NATS_NAMESPACE, REDIS, RPC_CLIENT } from './tokens';

@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('GatewayInfrastructure');

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(REDIS) private readonly redis: Redis,
    readiness: Readiness,
  ) {
    readiness.register({ name: 'nats', check: () => !this.nc.isClosed() && !this.nc.isDraining() && this.natsConnected });
    readiness.register({ name: 'redis', check: () => this.redis.status === 'ready' });
    void this.watchNats();
  }

  private natsConnected = true;

  private async watchNats(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.natsConnected = false;
      if (status.type === 'reconnect') this.natsConnected = true;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.rpc.close(), this.nc.drain()]);
    this.redis.disconnect();
    this.logger.log('connections closed');
  }
}

/**
 * NATS (request/reply and JetStream), Redis, and this replica's identity, shared by every
 * feature module of the gateway.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const namespace = new NatsNamespace(config.NATS_NAMESPACE);
    const gatewayId = config.GATEWAY_ID ?? `${hostname()}-${config.HTTP_PORT}-${randomBytes(3).toString('hex')}`;
    return {
      module: InfrastructureModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: NATS_NAMESPACE, useValue: namespace },
        { provide: GATEWAY_ID, useValue: gatewayId },
        { provide: Readiness, useValue: new Readiness() },
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const nc = await connectNats(config.NATS_URL, `playback-gateway:${gatewayId}`);
            const jsm = await nc.jetstreamManager();
            const settings = { maxAgeMs: config.SECURITY_STREAM_MAX_AGE_SECONDS * 1000, duplicateWindowMs: 120_000 };
            await ensureStream(jsm, namespace, Stream.security, settings);
            await ensureStream(jsm, namespace, Stream.progress, settings);
            return nc;
          },
        },
        {
          provide: RPC_CLIENT,
          useFactory: () =>
            createRpcClient({ natsUrl: config.NATS_URL, namespace: config.NATS_NAMESPACE, name: `playback-gateway-rpc:${gatewayId}`, timeoutMs: config.RPC_TIMEOUT_MS }),
        },
        {
          provide: EventPublisher,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) => new EventPublisher(nc.jetstream(), namespace),
        },
        {
          provide: REDIS,
          useFactory: () =>
            new Redis(config.REDIS_URL, {
              keyPrefix: config.REDIS_KEY_PREFIX,
              commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
              maxRetriesPerRequest: 1,
              // Fail fast while disconnected instead of queueing: callers answer 503, never hang.
              enableOfflineQueue: false,
              retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
            }),
        },
        InfrastructureLifecycle,
      ],
      exports: [GATEWAY_CONFIG, NATS_NAMESPACE, GATEWAY_ID, Readiness, NATS_CONNECTION, RPC_CLIENT, EventPublisher, REDIS],
    };
  }
}
