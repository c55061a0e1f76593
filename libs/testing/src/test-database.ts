import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A key that changes whenever a migration does, so a stale template is never reused. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function migrationsKey(migrations: Function[]): string {
  const hash = createHash('sha256');
  for (const m of migrations) hash.update(m.name).update(String((m.prototype as { up?: unknown }).up));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A fresh database for one spec file, cloned from a template that is migrated once per
 * migration set (under an advisory lock, so parallel workers and runs build it once).
 */
export async function createTestDatabase(options: {
  adminUrl: string;
  templateKey: string;
  migrate: (databaseUrl: string) => Promise<void>;
}): Promise<TestDatabase> {
  const template = `signoff_tpl_${options.templateKey}`;
  const admin = new Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        const building = `${template}_b${randomBytes(3).toString('hex')}`;
        await admin.query(`CREATE DATABASE "${building}"`);
        try {
          await options.migrate(withDatabase(options.adminUrl, building));
        } catch (error) {
          await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
          throw error;
        }
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      }
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
    const name = `signoff_t_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    return {
      name,
      url: withDatabase(options.adminUrl, name),
      drop: () => dropDatabase(options.adminUrl, name),
    };
  } finally {
    await admin.end();
  }
}

/** An empty database (for end-to-end runs whose stack migrates it itself). */
export async function createEmptyDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `signoff_e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return { name, url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // A pool's end() resolves before its sockets are gone; forcing the drop then would kill
    // them and surface as errors in the closing test. Wait (briefly) until nothing is connected.
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].n === '0') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
