import { DynamicModule, Global, Module } from '@nestjs/common';
import { AccessTokenVerifier } from '@signoff/token-verification';
import { HealthController, loggingModule } from '@signoff/service-kit';
import { AccountModule } from './account/account.module';
import { accessTokenVerifierProvider, AuthModule } from './auth/auth.module';
import { GatewayConfig } from './config/gateway.config';
import { DeviceChannelModule } from './device-channel/device-channel.module';
import { DevicesModule } from './devices/devices.module';
import { DownloadsModule } from './downloads/downloads.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { PasswordResetModule } from './password-reset/password-reset.module';
import { PlaybackModule } from './playback/playback.module';
import { ProfilesModule } from './profiles/profiles.module';
import { SecurityEventsModule } from './security-events/security-events.module';
import { SignInAlertsModule } from './sign-in-alerts/sign-in-alerts.module';
import { ThrottlingModule } from './throttling/throttling.module';
import { TwoFactorModule } from './two-factor/two-factor.module';

@Global()
@Module({})
class VerificationModule {
  static forRoot(): DynamicModule {
    return { module: VerificationModule, providers: [accessTokenVerifierProvider], exports: [AccessTokenVerifier] };
  }
}

/** The public edge: HTTP API, device WebSocket, health. Thin wiring over feature modules. */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        loggingModule('playback-gateway', config.LOG_LEVEL),
        InfrastructureModule.forRoot(config),
        VerificationModule.forRoot(),
        SecurityEventsModule,
        ThrottlingModule,
        DeviceChannelModule,
        AuthModule,
        DevicesModule,
        PlaybackModule,
        TwoFactorModule,
        AccountModule,
        PasswordResetModule,
        SignInAlertsModule,
        ProfilesModule,
        DownloadsModule,
      ],
      controllers: [HealthController],
    };
  }
}
