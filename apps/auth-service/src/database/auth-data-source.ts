import { OutboxMessage } from '@signoff/messaging';
import { createServiceDataSource } from '@signoff/persistence';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Profile } from '../accounts/profile.entity';
import { AUTH_MIGRATIONS, AUTH_SCHEMA } from '../migrations';
import { Revocation } from '../revocations/revocation.entity';
import { Session } from '../sessions/session.entity';
import { SigningKey } from '../signing-keys/signing-key.entity';
import { ReauthToken } from '../step-up/reauth-token.entity';
import { RefreshToken } from '../tokens/refresh-token.entity';

/** Every table auth-service maps, the outbox included. */
export const AUTH_ENTITIES = [Account, Profile, Session, RefreshToken, ReauthToken, Revocation, SigningKey, OutboxMessage];

export function createAuthDataSource(options: { url: string; poolSize?: number; applicationName?: string }): DataSource {
  return createServiceDataSource({
    url: options.url,
    schema: AUTH_SCHEMA,
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
    poolSize: options.poolSize,
    applicationName: options.applicationName ?? 'auth-service',
  });
}
