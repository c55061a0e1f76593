import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { connectNats, EventPublisher, NatsHealth, NatsNamespace, StreamWatch, streamWatchFor } from '@signoff/messaging';
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
    private readonly watch: StreamWatch,
    health: NatsHealth,
    readiness: Readiness,
  ) {
    readiness.register({ name: 'nats', check: () => health.healthy });
    // Without Redis the gateway still verifies tokens and signs devices out; stream starts and
    // live status fail on their own (503), so it stays in the load balancer.
    readiness.register({ name: 'redis', check: () => this.redis.status === 'ready', required: false });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch.stop();
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
        { provide: NATS_CONNECTION, useFactory: () => connectNats(config.NATS_URL, `playback-gateway:${gatewayId}`) },
        { provide: NatsHealth, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new NatsHealth(nc) },
        {
          provide: StreamWatch,
          inject: [NATS_CONNECTION, NatsHealth],
          useFactory: async (nc: NatsConnection, health: NatsHealth) => {
            const watch = streamWatchFor(nc, health, config, [Stream.security, Stream.progress, Stream.parked]);
            await watch.start();
            return watch;
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
      exports: [GATEWAY_CONFIG, NATS_NAMESPACE, GATEWAY_ID, Readiness, NATS_CONNECTION, NatsHealth, StreamWatch, RPC_CLIENT, EventPublisher, REDIS],
    };
  }
}
