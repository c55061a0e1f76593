import { CommonConfig, loadConfig } from '@signoff/service-kit';
import { runAuthMigrations } from './migrations';

/**
 * One-off entry: brings the `auth` schema up to date, then exits (run before the service). It
 * needs the database only, not the service's keys.
 */
runAuthMigrations(loadConfig(CommonConfig).DATABASE_URL).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('auth-service migrations failed:', error);
    process.exit(1);
  },
);
