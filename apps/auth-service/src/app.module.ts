import { DynamicModule, Module } from '@nestjs/common';
import { createGeoIpLocator, geoIpDatabaseSetting, GeoIpLocator } from '@signoff/geoip';
import { HealthController, loggingModule } from '@signoff/service-kit';
import { AccountStore } from './accounts/account.store';
import { AccountsNatsController } from './accounts/accounts.nats.controller';
import { AccountsService } from './accounts/accounts.service';
import { AuthConfig } from './config/auth.config';
import { AuthLifecycle } from './core/auth-lifecycle';
import { authPlatform, coreProviders } from './core/core.providers';
import { PasswordChangeService } from './credentials/password-change.service';
import { PasswordHasher } from './credentials/password-hasher';
import { PasswordNatsController } from './credentials/password.nats.controller';
import { mailProviders } from './mail/mail.providers';
import { PasswordResetNatsController } from './password-reset/password-reset.nats.controller';
import { PasswordResetService } from './password-reset/password-reset.service';
import { PasswordResetRequests } from './password-reset/password-reset-requests';
import { RevocationsNatsController } from './revocations/revocations.nats.controller';
import { RevocationsService } from './revocations/revocations.service';
import { SessionStore } from './sessions/session.store';
import { SignInAlertsNatsController } from './sign-in-alerts/sign-in-alerts.nats.controller';
import { SignInAlertsService } from './sign-in-alerts/sign-in-alerts.service';
import { ProfilesNatsController } from './profiles/profiles.nats.controller';
import { ProfilesService } from './profiles/profiles.service';
import { OutboxPruner } from './outbox/outbox-pruner';
import { SessionExpirySweeper } from './sessions/session-expiry.sweeper';
import { SessionsNatsController } from './sessions/sessions.nats.controller';
import { SessionsService } from './sessions/sessions.service';
import { SigningKeyRotationScheduler } from './signing-keys/signing-key-rotation.scheduler';
import { SigningKeyRotation } from './signing-keys/signing-key-rotation.service';
import { SigningKeysNatsController } from './signing-keys/signing-keys.nats.controller';
import { SigningKeysService } from './signing-keys/signing-keys.service';
import { SigningKeySealer } from './signing-keys/signing-key-sealer';
import { EmailCodeStepUpService } from './step-up/email-code-step-up.service';
import { StepUpNatsController } from './step-up/step-up.nats.controller';
import { StepUpService } from './step-up/step-up.service';
import { AccessTokenIssuer } from './tokens/access-token-issuer';
import { RefreshTokenStore } from './tokens/refresh-token.store';
import { twoFactorProviders } from './two-factor/two-factor.providers';
import { TwoFactorNatsController } from './two-factor/two-factor.nats.controller';
import { OutboxRecord } from './stream-recovery/outbox-record';
import { StreamRecovery } from './stream-recovery/stream-recovery';
import { StreamRecoveryNatsController } from './stream-recovery/stream-recovery.nats.controller';

/**
 * The composition root. One module on purpose: the features call each other in a chain
 * (sessions → revocations → step-up → sessions' store) that per-feature Nest modules could
 * only express with forwardRef; here the feature folders hold the code and this file wires it.
 */
@Module({})
export class AuthServiceModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthServiceModule,
      imports: [loggingModule('auth-service', config.LOG_LEVEL), authPlatform(config)],
      controllers: [
        HealthController,
        AccountsNatsController,
        SessionsNatsController,
        RevocationsNatsController,
        StepUpNatsController,
        SigningKeysNatsController,
        TwoFactorNatsController,
        PasswordNatsController,
        PasswordResetNatsController,
        SignInAlertsNatsController,
        ProfilesNatsController,
        StreamRecoveryNatsController,
      ],
      providers: [
        ...coreProviders(config),
        AuthLifecycle,
        PasswordHasher,
        SigningKeySealer,
        SigningKeysService,
        SigningKeyRotation,
        SigningKeyRotationScheduler,
        AccessTokenIssuer,
        RefreshTokenStore,
        AccountStore,
        SessionStore,
        StepUpService,
        EmailCodeStepUpService,
        RevocationsService,
        SessionsService,
        AccountsService,
        ...twoFactorProviders(),
        PasswordChangeService,
        ...mailProviders(config),
        PasswordResetService,
        PasswordResetRequests,
        // Places sign-ins for the alert mail; GEOIP_DATABASE_PATH as for device-registry.
        { provide: GeoIpLocator, useFactory: () => createGeoIpLocator(geoIpDatabaseSetting()) },
        SignInAlertsService,
        ProfilesService,
        SessionExpirySweeper,
        OutboxPruner,
        OutboxRecord,
        StreamRecovery,
      ],
    };
  }
}
