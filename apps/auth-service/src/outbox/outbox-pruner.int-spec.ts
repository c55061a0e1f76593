import { randomUUID } from 'node:crypto';
import { loadConfig } from '@signoff/service-kit';
import { expectEventually, TestDatabase } from '@signoff/testing';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { createAuthDataSource } from '../database/auth-data-source';
import { createAuthTestDatabase, dropWhenIdle } from '../testing/auth-test-harness';
import { OutboxPruner } from './outbox-pruner';

const HOUR_MS = 3_600_000;

/** The outbox pruner on real Postgres: published rows past retention go, nothing else does. */
describe('auth-service outbox pruner', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const pruners: OutboxPruner[] = [];

  beforeAll(async () => {
    ({ db } = await createAuthTestDatabase());
    dataSource = createAuthDataSource({ url: db.url, poolSize: 2, applicationName: 'auth-outbox-pruner-test' });
    await dataSource.initialize();
  });

  beforeEach(async () => {
    await dataSource.query('DELETE FROM auth.outbox');
  });

  afterEach(async () => {
    await Promise.all(pruners.splice(0).map((pruner) => pruner.onModuleDestroy()));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    if (db) await dropWhenIdle(db);
  });

  function prunerWith(env: Record<string, string> = {}): OutboxPruner {
    const pruner = new OutboxPruner(loadConfig(AuthConfig, { SIGNOFF_ENV: 'development', ...env }), dataSource);
    pruners.push(pruner);
    return pruner;
  }

  /** An outbox row written `ageMs` ago, published (some time later) or not. */
  async function row(name: string, ageMs: number, published: boolean): Promise<void> {
    const createdAt = new Date(Date.now() - ageMs);
    await dataSource.query(`INSERT INTO auth.outbox (event_id, subject, payload, created_at, published_at) VALUES ($1, 'security.session.revoked.v1', $2, $3, $4)`, [
      randomUUID(),
      { name },
      createdAt,
      published ? new Date(createdAt.getTime() + 1_000) : null,
    ]);
  }

  async function remaining(): Promise<string[]> {
    const rows: Array<{ name: string }> = await dataSource.query(`SELECT payload->>'name' AS name FROM auth.outbox ORDER BY id`);
    return rows.map((r) => r.name);
  }

  it('deletes published rows older than the retention (a day by default) and keeps the rest, unpublished ones of any age included', async () => {
    await row('published two days ago', 48 * HOUR_MS, true);
    await row('published 25 h ago', 25 * HOUR_MS, true);
    await row('never published, two days old', 48 * HOUR_MS, false);
    await row('published 23 h ago', 23 * HOUR_MS, true);
    await row('published inside the token lifetime', 60_000, true);
    await row('waiting', 1_000, false);

    expect(await prunerWith().prune()).toBe(2);
    expect(await remaining()).toEqual(['never published, two days old', 'published 23 h ago', 'published inside the token lifetime', 'waiting']);
    expect(await prunerWith().prune()).toBe(0);
  });

  it('at the shortest retention allowed, still keeps every row of the revocation retention (token lifetime + tolerance + a minute)', async () => {
    await row('written 12 min ago', 12 * 60_000, true);
    await row('written 11 min ago', 11 * 60_000, true);
    await row('written 10 min ago', 10 * 60_000, true);
    expect(await prunerWith({ OUTBOX_RETENTION_SECONDS: '690' }).prune()).toBe(1);
    expect(await remaining()).toEqual(['written 11 min ago', 'written 10 min ago']);
  });

  it('deletes in batches until nothing past retention is left', async () => {
    await dataSource.query(
      `INSERT INTO auth.outbox (event_id, subject, payload, created_at, published_at)
       SELECT gen_random_uuid(), 'security.session.revoked.v1', '{"name":"old"}', now() - interval '2 days', now() - interval '2 days' FROM generate_series(1, 12000)`,
    );
    await row('recent', 60_000, true);
    expect(await prunerWith().prune()).toBe(12_000);
    expect(await remaining()).toEqual(['recent']);
  });

  it('runs by itself every OUTBOX_PRUNE_INTERVAL_SECONDS once the service has started', async () => {
    const pruner = prunerWith({ OUTBOX_PRUNE_INTERVAL_SECONDS: '1' });
    pruner.onApplicationBootstrap();
    await row('old', 48 * HOUR_MS, true);
    await row('new', 1_000, true);
    await expectEventually(async () => expect(await remaining()).toEqual(['new']), { timeoutMs: 5_000 });
  });
});
