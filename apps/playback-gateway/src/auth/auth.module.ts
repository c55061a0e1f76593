import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TOKEN_POLICY } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { AccessTokenVerifier } from '@signoff/token-verification';
import { GatewayConfig } from '../config/gateway.config';
import { DeviceChannelModule } from '../device-channel/device-channel.module';
import { GATEWAY_CONFIG } from '../infrastructure/tokens';
import { RPC_CLIENT } from '@signoff/platform';
import { SecurityEventsModule } from '../security-events/security-events.module';
import { AccessTokenGuard } from './access-token.guard';
import { AuthHttpController } from './auth.http.controller';
import { SessionCheck } from './session-check.service';
import { RpcSigningKeySource } from './signing-keys.source';
import { SigningKeysRefresher } from './signing-keys.refresher';

@Module({
  imports: [SecurityEventsModule, DeviceChannelModule],
  controllers: [AuthHttpController],
  providers: [SessionCheck, SigningKeysRefresher, { provide: APP_GUARD, useClass: AccessTokenGuard }],
})
export class AuthModule {}

/** The verifier is shared by the HTTP guard and the WebSocket upgrade. */
export const accessTokenVerifierProvider = {
  provide: AccessTokenVerifier,
  inject: [RPC_CLIENT, GATEWAY_CONFIG],
  useFactory: (rpc: RpcClient, config: GatewayConfig) =>
    new AccessTokenVerifier(new RpcSigningKeySource(rpc), {
      clockToleranceSeconds: TOKEN_POLICY.clockToleranceSeconds,
      maxLifetimeSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      maxCachedTokens: config.VERIFIED_TOKEN_CACHE_SIZE,
      minKeyRefreshIntervalMs: 1_000,
    }),
};
