import { createServiceDataSource, migrateSchema } from '@signoff/persistence';
import { CreateAuthSchema1763712000000 } from './1763712000000-create-auth-schema';
import { SigningKeyActivation1795269600000 } from './1795269600000-signing-key-activation';
import { TwoFactor1795356000000 } from './1795356000000-two-factor';
import { MailOutboxAndPasswordReset1795442400000 } from './1795442400000-mail-outbox-and-password-reset';
import { SignInAlerts1795528800000 } from './1795528800000-sign-in-alerts';
import { StepUpEmailCodes1795615200000 } from './1795615200000-step-up-email-codes';
import { OutboxCreatedAtIndex1795960800000 } from './1795960800000-outbox-created-at-index';
import { SealedSigningKeys1796047200000 } from './1796047200000-sealed-signing-keys';
import { SentMailBodiesForgotten1796050800000 } from './1796050800000-sent-mail-bodies-forgotten';
import { PasswordResetRequests1796054400000 } from './1796054400000-password-reset-requests';
import { NotMeSignInFacts1796058000000 } from './1796058000000-not-me-sign-in-facts';
import { KidsRestrictedSessions1796061600000 } from './1796061600000-kids-restricted-sessions';

/** The Postgres schema auth-service owns; nothing else writes to it. */
export const AUTH_SCHEMA = 'auth';

/** Every migration, oldest first. Used by the service, the stack launcher and the tests' template key. */
export const AUTH_MIGRATIONS = [
  CreateAuthSchema1763712000000,
  SigningKeyActivation1795269600000,
  TwoFactor1795356000000,
  MailOutboxAndPasswordReset1795442400000,
  SignInAlerts1795528800000,
  StepUpEmailCodes1795615200000,
  OutboxCreatedAtIndex1795960800000,
  SealedSigningKeys1796047200000,
  SentMailBodiesForgotten1796050800000,
  PasswordResetRequests1796054400000,
  NotMeSignInFacts1796058000000,
  KidsRestrictedSessions1796061600000,
];

/** Creates the schema if missing and runs pending migrations, on a DataSource of its own. */
export async function runAuthMigrations(databaseUrl: string): Promise<void> {
  const dataSource = createServiceDataSource({
    url: databaseUrl,
    schema: AUTH_SCHEMA,
    entities: [],
    migrations: AUTH_MIGRATIONS,
    poolSize: 1,
    applicationName: 'auth-service-migrate',
    // DDL on a busy database may wait for locks longer than a request would.
    statementTimeoutMs: 60_000,
  });
  try {
    await migrateSchema(dataSource, AUTH_SCHEMA);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
