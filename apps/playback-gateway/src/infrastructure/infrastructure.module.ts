import { DynamicModule, Global, Module } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { PlatformModule } from '@signoff/platform';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG, GATEWAY_ID } from './tokens';

/**
 * The platform (NATS, the streams, Redis, the RPC client, readiness, shutdown order) as the
 * gateway runs it, and this replica's config and identity, for every feature module.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const gatewayId = config.GATEWAY_ID ?? `${hostname()}-${config.HTTP_PORT}-${randomBytes(3).toString('hex')}`;
    return {
      module: InfrastructureModule,
      imports: [
        PlatformModule.forRoot({
          service: 'playback-gateway',
          instance: gatewayId,
          settings: config,
          streams: [Stream.security, Stream.progress, Stream.parked],
          redis: true,
          rpcClient: true,
        }),
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_ID, useValue: gatewayId },
      ],
      exports: [GATEWAY_CONFIG, GATEWAY_ID],
    };
  }
}
