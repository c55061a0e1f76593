import { loadConfig } from '@signoff/service-kit';
import { TestDatabase } from '@signoff/testing';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { createAuthDataSource } from '../database/auth-data-source';
import { createAuthTestDatabase, dropWhenIdle } from '../testing/auth-test-harness';
import { SigningKey } from './signing-key.entity';
import { SigningKeySealer } from './signing-key-sealer';
import { SigningKeysService } from './signing-keys.service';

describe('SigningKeysService (first key, two replicas starting together)', () => {
  const config = loadConfig(AuthConfig, { SIGNOFF_ENV: 'development', SIGNING_KEY_ENCRYPTION_KEY: 'b'.repeat(64) });
  const sealer = new SigningKeySealer(config);
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
    const [a, b] = dataSources.map((d) => new SigningKeysService(d, config, sealer));
    const [keyA, keyB] = await Promise.all([a.activeKey(), b.activeKey()]);
    expect(keyA.kid).toBe(keyB.kid);
    const rows: Array<{ kid: string; algorithm: string; private_jwk: unknown; sealed_private_key: string }> = await dataSources[0].query(
      'SELECT kid, algorithm, private_jwk, sealed_private_key FROM auth.signing_keys',
    );
    expect(rows).toEqual([{ kid: keyA.kid, algorithm: 'RS256', private_jwk: null, sealed_private_key: expect.stringMatching(/^v1\./) }]);
    // What a copy of the table gives away: nothing of the private key, and nothing that opens without the key.
    expect(rows[0].sealed_private_key).not.toMatch(/"d"|"p"|"q"/);
    const otherKey = new SigningKeySealer(loadConfig(AuthConfig, { SIGNOFF_ENV: 'development', SIGNING_KEY_ENCRYPTION_KEY: 'c'.repeat(64) }));
    expect(() => otherKey.privateJwk({ kid: keyA.kid, privateJwk: null, sealedPrivateKey: rows[0].sealed_private_key })).toThrow();
    expect(() => sealer.privateJwk({ kid: 'another-kid', privateJwk: null, sealedPrivateKey: rows[0].sealed_private_key })).toThrow();
    expect((await a.list()).keys.map((k) => k.kid)).toEqual([keyA.kid]);
  });

  it('signs with the newest active key that is not retired, never with one not due yet, and lists every non-retired one', async () => {
    const service = new SigningKeysService(dataSources[0], config, sealer);
    const first = await service.activeKey();
    const [original] = await dataSources[0].getRepository(SigningKey).findBy({ kid: first.kid });
    const copy = (kid: string, minutesLater: number, extra: Partial<SigningKey> = {}): SigningKey =>
      Object.assign(new SigningKey(), {
        kid,
        algorithm: original.algorithm,
        publicJwk: original.publicJwk,
        privateJwk: null,
        sealedPrivateKey: sealer.seal(kid, sealer.privateJwk(original)),
        createdAt: new Date(original.createdAt.getTime() + minutesLater * 60_000),
        activatedAt: original.activatedAt,
        retiredAt: null,
        ...extra,
      });
    await dataSources[0]
      .getRepository(SigningKey)
      .insert([copy('newer', 1), copy('retired', 2, { retiredAt: new Date() }), copy('pending', 3, { activatedAt: new Date(Date.now() + 3_600_000) })]);
    // A fresh service: the first one's copy of the schedule is still young.
    const fresh = new SigningKeysService(dataSources[0], config, sealer);
    expect((await fresh.activeKey()).kid).toBe('newer');
    expect((await fresh.activeKey(Date.now() + 2 * 3_600_000)).kid).toBe('pending');
    expect((await fresh.list()).keys.map((k) => k.kid)).toEqual(['pending', 'newer', first.kid]);
  });

  it('seals, at start, a private key that an earlier release stored in clear, and signs with it as before', async () => {
    const service = new SigningKeysService(dataSources[0], config, sealer);
    const active = await service.activeKey();
    const [original] = await dataSources[0].getRepository(SigningKey).findBy({ kid: active.kid });
    const clear = sealer.privateJwk(original);
    await dataSources[0].query(
      `INSERT INTO auth.signing_keys (kid, algorithm, public_jwk, private_jwk, created_at, activated_at) VALUES ('legacy', 'RS256', $1, $2, now(), now() - interval '1 second')`,
      [original.publicJwk, clear],
    );
    const restarted = new SigningKeysService(dataSources[0], config, sealer);
    await restarted.onModuleInit();
    const [legacy] = await dataSources[0].getRepository(SigningKey).findBy({ kid: 'legacy' });
    expect(legacy.privateJwk).toBeNull();
    expect(sealer.privateJwk(legacy)).toEqual(clear);
    expect((await restarted.activeKey()).kid).toBe('legacy');
    expect(await restarted.sealKeysStoredInClear()).toBe(0);
  });
});
