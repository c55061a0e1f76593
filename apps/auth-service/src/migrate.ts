import { loadConfig } from '@signoff/service-kit';
import { AuthConfig } from './config/auth.config';
import { runAuthMigrations } from './migrations';

/** One-off entry: brings the `auth` schema up to date, then exits (run before the service). */
runAuthMigrations(loadConfig(AuthConfig).DATABASE_URL).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('auth-service migrations failed:', error);
    process.exit(1);
  },
);
