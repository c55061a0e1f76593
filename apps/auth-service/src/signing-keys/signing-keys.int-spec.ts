import { loadConfig } from '@signoff/service-kit';
import { TestDatabase } from '@signoff/testing';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { createAuthDataSource } from '../database/auth-data-source';
import { createAuthTestDatabase, dropWhenIdle } from '../testing/auth-test-harness';
import { SigningKeysService } from './signing-keys.service';

describe('SigningKeysService (first key, two replicas starting together)', () => {
  const config = loadConfig(AuthConfig, {});
  let db: TestDatabase;
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    ({ db } = await createAuthTestDatabase());
    for (const name of ['replica-a', 'replica-b']) {
      const dataSource = createAuthDataSource({ url: db.url, poolSize: 2, applicationName: name });
      await dataSource.initialize();
      dataSources.push(dataSource);
    }
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((d) => d.destroy()));
    if (db) await dropWhenIdle(db);
  });

  it('creates exactly one key between them, and both sign with it', async () => {
    const [a, b] = dataSources.map((d) => new SigningKeysService(d, config));
    const [keyA, keyB] = await Promise.all([a.activeKey(), b.activeKey()]);
    expect(keyA.kid).toBe(keyB.kid);
    const rows: Array<{ kid: string; algorithm: string; private_has_d: boolean }> = await dataSources[0].query(
      "SELECT kid, algorithm, private_jwk ? 'd' AS private_has_d FROM auth.signing_keys",
    );
    expect(rows).toEqual([{ kid: keyA.kid, algorithm: 'RS256', private_has_d: true }]);
    expect((await a.list()).keys.map((k) => k.kid)).toEqual([keyA.kid]);
  });

  it('signs with the newest active key that is not retired, never with one not due yet, and lists every non-retired one', async () => {
    const service = new SigningKeysService(dataSources[0], config);
    const first = await service.activeKey();
    await dataSources[0].query(
      `INSERT INTO auth.signing_keys (kid, algorithm, public_jwk, private_jwk, created_at)
       SELECT 'newer', algorithm, public_jwk, private_jwk, created_at + interval '1 minute' FROM auth.signing_keys WHERE kid = $1`,
      [first.kid],
    );
    await dataSources[0].query(
      `INSERT INTO auth.signing_keys (kid, algorithm, public_jwk, private_jwk, created_at, retired_at)
       SELECT 'retired', algorithm, public_jwk, private_jwk, created_at + interval '2 minutes', now() FROM auth.signing_keys WHERE kid = $1`,
      [first.kid],
    );
    await dataSources[0].query(
      `INSERT INTO auth.signing_keys (kid, algorithm, public_jwk, private_jwk, created_at, activated_at)
       SELECT 'pending', algorithm, public_jwk, private_jwk, created_at + interval '3 minutes', now() + interval '1 hour' FROM auth.signing_keys WHERE kid = $1`,
      [first.kid],
    );
    // A fresh service: the first one's copy of the schedule is still young.
    const fresh = new SigningKeysService(dataSources[0], config);
    expect((await fresh.activeKey()).kid).toBe('newer');
    expect((await fresh.activeKey(Date.now() + 2 * 3_600_000)).kid).toBe('pending');
    expect((await fresh.list()).keys.map((k) => k.kid)).toEqual(['pending', 'newer', first.kid]);
  });
});
