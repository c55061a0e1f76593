import { createServiceDataSource, migrateSchema } from '@signoff/persistence';
import { CreateRegistrySchema1763700000000 } from './1763700000000-create-registry-schema';
import { LocationChangedHistory1795701600000 } from './1795701600000-location-changed-history';
import { DownloadLicences1795788000000 } from './1795788000000-download-licences';
import { HistoryIndexes1795874400000 } from './1795874400000-history-indexes';

/** The registry's own schema; every table it owns lives there. */
export const REGISTRY_SCHEMA = 'devices';

/** In order. A shipped migration never changes: add a new one. */
export const REGISTRY_MIGRATIONS = [CreateRegistrySchema1763700000000, LocationChangedHistory1795701600000, DownloadLicences1795788000000, HistoryIndexes1795874400000];

/** Creates the schema and runs pending migrations, then lets go of its connections. */
export async function runRegistryMigrations(databaseUrl: string): Promise<void> {
  const dataSource = createServiceDataSource({
    url: databaseUrl,
    schema: REGISTRY_SCHEMA,
    entities: [],
    migrations: REGISTRY_MIGRATIONS,
    poolSize: 1,
    applicationName: 'device-registry-migrations',
  });
  try {
    await migrateSchema(dataSource, REGISTRY_SCHEMA);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
