/**
 * Shared set-up for auth-service integration specs (only spec files import this). Each spec
 * file gets its own database (cloned from a migrated template), its own NATS namespace and so
 * its own SECURITY stream, and a service started exactly as `main.ts` starts it.
 */
import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import {
  AccessTokenClaims,
  DeviceDescriptor,
  EventMap,
  LoginReply,
  RpcSubject,
  Stream,
  TOKEN_POLICY,
} from '@signoff/contracts';
import { InboundEvent, NatsNamespace, StreamFollower } from '@signoff/messaging';
import { createRpcClient, loadConfig, RpcClient, startRpcService } from '@signoff/service-kit';
import { cleanupNamespace, createTestDatabase, expectEventually, migrationsKey, testServers, TestDatabase, uniqueNamespace } from '@signoff/testing';
import { createLocalJWKSet, JWK, jwtVerify, JWTHeaderParameters } from 'jose';
import { connect, NatsConnection } from 'nats';
import { Client, Pool } from 'pg';
import { AuthServiceModule } from '../app.module';
import { AuthConfig } from '../config/auth.config';
import { AUTH_MIGRATIONS, runAuthMigrations } from '../migrations';

export { expectCode, failureOf } from './coded-errors';

/** A database of its own for one spec file, migrated like production. */
export async function createAuthTestDatabase(): Promise<{ db: TestDatabase; natsUrl: string }> {
  const servers = await testServers();
  const db = await createTestDatabase({ adminUrl: servers.adminDatabaseUrl, templateKey: migrationsKey(AUTH_MIGRATIONS), migrate: runAuthMigrations });
  return { db, natsUrl: servers.natsUrl };
}

/**
 * Drops a spec's database once nothing is connected to it any more. pg-pool's `end()` resolves
 * before its sockets have closed; a forced DROP DATABASE would terminate the stragglers, and
 * their clients would raise an unhandled error into the test run.
 */
export async function dropWhenIdle(db: TestDatabase): Promise<void> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await expectEventually(
      async () => {
        const { rows } = await client.query<{ others: number }>(
          'SELECT count(*)::int AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        expect(rows[0].others).toBe(0);
      },
      { timeoutMs: 5_000 },
    );
  } finally {
    await client.end();
  }
  await db.drop();
}

/** The config a test runs the service with: real argon2 parameters, silent logs, any free port. */
export function testAuthConfig(settings: { databaseUrl: string; natsUrl: string; namespace: string; env?: Record<string, string> }): AuthConfig {
  return loadConfig(AuthConfig, {
    // Tests that expire sessions by hand must not race the sweeper; its own spec turns it up.
    SESSION_EXPIRY_SWEEP_SECONDS: '3600',
    SIGNOFF_ENV: 'development',
    ...settings.env,
    DATABASE_URL: settings.databaseUrl,
    NATS_URL: settings.natsUrl,
    NATS_NAMESPACE: settings.namespace,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
  });
}

/** Every event of the namespace's SECURITY stream, read by an ordered JetStream consumer. */
export class SecurityEventLog {
  readonly events: InboundEvent[] = [];
  readonly streamName: string;
  private readonly follower: StreamFollower;

  private constructor(
    private readonly nc: NatsConnection,
    namespace: NatsNamespace,
  ) {
    this.streamName = namespace.streamName(Stream.security);
    this.follower = new StreamFollower(
      nc,
      namespace,
      { stream: Stream.security, filterSubject: 'security.>', consumerName: 'auth-test-events' },
      (event) => this.events.push(event),
    );
  }

  static async start(natsUrl: string, namespace: string): Promise<SecurityEventLog> {
    const nc = await connect({ servers: natsUrl, name: 'auth-test-events' });
    const log = new SecurityEventLog(nc, new NatsNamespace(namespace));
    await log.follower.start({ time: new Date(Date.now() - 3_600_000) });
    return log;
  }

  of<K extends keyof EventMap>(subject: K): Array<EventMap[K]> {
    return this.events.filter((e) => e.subject === subject).map((e) => e.payload as EventMap[K]);
  }

  withRevocationId(revocationId: string): InboundEvent[] {
    return this.events.filter((e) => 'revocationId' in e.payload && e.payload.revocationId === revocationId);
  }

  /** Waits for the first event of a subject that matches. */
  waitFor<K extends keyof EventMap>(subject: K, predicate: (payload: EventMap[K]) => boolean): Promise<EventMap[K]> {
    return expectEventually(() => {
      const found = this.of(subject).find(predicate);
      if (!found) throw new Error(`no ${subject} event matched yet`);
      return found;
    });
  }

  /** Waits until the revocation's event has arrived; fails if it arrives more than once. */
  async revocation(revocationId: string): Promise<InboundEvent> {
    return expectEventually(() => {
      const found = this.withRevocationId(revocationId);
      expect(found).toHaveLength(1);
      return found[0];
    });
  }

  /** How many messages the stream holds (duplicates JetStream dropped are not among them). */
  async storedCount(): Promise<number> {
    const info = await (await this.nc.jetstreamManager()).streams.info(this.streamName);
    return info.state.messages;
  }

  async close(): Promise<void> {
    await this.follower.stop();
    await this.nc.close();
  }
}

export interface TestAccount {
  accountId: string;
  email: string;
  password: string;
}

/** A running auth-service with a client, an event log and direct SQL for assertions. */
export class AuthHarness {
  private constructor(
    readonly app: INestApplication,
    readonly client: RpcClient,
    readonly events: SecurityEventLog,
    readonly sql: Pool,
    readonly db: TestDatabase,
    readonly config: AuthConfig,
  ) {}

  /** `env` overrides settings the way the environment would (strings). */
  static async start(env: Record<string, string> = {}): Promise<AuthHarness> {
    const { db, natsUrl } = await createAuthTestDatabase();
    const namespace = uniqueNamespace();
    const config = testAuthConfig({ databaseUrl: db.url, natsUrl, namespace, env });
    const opened: Array<() => Promise<void>> = [];
    try {
      const app = await startRpcService(AuthServiceModule.forRoot(config), {
        serviceName: 'auth-service',
        queue: 'auth-service',
        natsUrl,
        namespace,
        httpHost: config.HTTP_HOST,
        httpPort: config.HTTP_PORT,
      });
      opened.push(() => app.close());
      const client = await createRpcClient({ natsUrl, namespace, name: 'test', timeoutMs: 5000 });
      opened.push(() => client.close());
      const events = await SecurityEventLog.start(natsUrl, namespace);
      const sql = new Pool({ connectionString: db.url, max: 2 });
      return new AuthHarness(app, client, events, sql, db, config);
    } catch (error) {
      await settle([...opened.reverse(), () => dropWhenIdle(db), () => cleanupNamespace({ natsUrl, namespace })]);
      throw error;
    }
  }

  /** Closes everything it opened, each step even if an earlier one failed. */
  async close(): Promise<void> {
    await settle([
      () => this.events.close(),
      () => this.client.close(),
      () => this.app.close(),
      () => this.sql.end(),
      () => dropWhenIdle(this.db),
      () => cleanupNamespace({ natsUrl: this.config.NATS_URL, namespace: this.config.NATS_NAMESPACE }),
    ]);
  }

  /** A fresh account with a unique address and a valid password. */
  async signUp(overrides: { email?: string; password?: string; plan?: 'basic' | 'standard' | 'premium' } = {}): Promise<TestAccount> {
    const email = overrides.email ?? `viewer-${randomUUID()}@example.test`;
    const password = overrides.password ?? `correct horse ${randomUUID()}`;
    const { accountId } = await this.client.call(RpcSubject.createAccount, { email, password, ...(overrides.plan ? { plan: overrides.plan } : {}) });
    return { accountId, email, password };
  }

  login(account: TestAccount, device: DeviceDescriptor = deviceStub()): Promise<LoginReply> {
    return this.client.call(RpcSubject.login, { email: account.email, password: account.password, device });
  }

  async stepUp(account: TestAccount, sessionId: string): Promise<string> {
    const { reauthToken } = await this.client.call(RpcSubject.stepUp, { accountId: account.accountId, sessionId, password: account.password });
    return reauthToken;
  }

  /**
   * Verifies an access token the way a gateway does: keys from `listSigningKeys`, one pinned
   * algorithm, pinned issuer, audience and `typ`.
   */
  async verifyAccessToken(token: string): Promise<{ claims: AccessTokenClaims; header: JWTHeaderParameters }> {
    const { keys } = await this.client.call(RpcSubject.listSigningKeys, {});
    const jwks = createLocalJWKSet({ keys: keys as JWK[] });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      algorithms: [TOKEN_POLICY.algorithm],
      issuer: TOKEN_POLICY.issuer,
      audience: TOKEN_POLICY.audience,
      typ: TOKEN_POLICY.accessTokenType,
    });
    return { claims: payload as unknown as AccessTokenClaims, header: protectedHeader };
  }

  async epochOf(accountId: string): Promise<number> {
    const { rows } = await this.sql.query<{ epoch: number }>('SELECT epoch FROM auth.accounts WHERE id = $1', [accountId]);
    return rows[0].epoch;
  }

  async sessionRow(sessionId: string): Promise<SessionRow> {
    const { rows } = await this.sql.query<SessionRow>(
      'SELECT id, device_id, revoked_at, revocation_id, revoke_reason FROM auth.sessions WHERE id = $1',
      [sessionId],
    );
    return rows[0];
  }

  async liveSessionIds(accountId: string): Promise<string[]> {
    const { rows } = await this.sql.query<{ id: string }>('SELECT id FROM auth.sessions WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id', [accountId]);
    return rows.map((r) => r.id);
  }
}

export interface SessionRow {
  id: string;
  device_id: string;
  revoked_at: Date | null;
  revocation_id: string | null;
  revoke_reason: string | null;
}

/** Runs every step in order; rethrows the first failure once all have run. */
async function settle(steps: Array<() => Promise<unknown>>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** A device signing in for the first time; override what a test cares about. */
export function deviceStub(overrides: Partial<DeviceDescriptor> = {}): DeviceDescriptor {
  return { id: `device-${randomUUID()}`, type: 'tv', name: 'Living room TV', os: 'tvOS 18', appVersion: '5.2.0', ...overrides };
}
