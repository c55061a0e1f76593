import { loadConfig } from '@signoff/service-kit';
import { RegistryConfig } from './config/registry.config';
import { runRegistryMigrations } from './migrations';

/** One-off entry: brings the `devices` schema up to date, then exits (run before the service). */
runRegistryMigrations(loadConfig(RegistryConfig).DATABASE_URL).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('device-registry migrations failed:', error);
    process.exit(1);
  },
);
