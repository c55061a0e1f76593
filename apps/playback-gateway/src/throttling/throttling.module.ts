import { Global, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../infrastructure/tokens';
import { REDIS } from '@signoff/platform';
import { Throttle } from './throttle.service';

/** The throttle on the gateway's shared Redis client; global, like the infrastructure it sits on. */
@Global()
@Module({
  providers: [
    {
      provide: Throttle,
      inject: [REDIS, GATEWAY_CONFIG],
      useFactory: (redis: Redis, config: GatewayConfig) => Throttle.onRedis(redis, config),
    },
  ],
  exports: [Throttle],
})
export class ThrottlingModule {}
