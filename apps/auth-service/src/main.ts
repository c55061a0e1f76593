import 'reflect-metadata';
import { loadConfig, startRpcService } from '@signoff/service-kit';
import { AuthServiceModule } from './app.module';
import { AuthConfig } from './config/auth.config';

async function main(): Promise<void> {
  const config = loadConfig(AuthConfig);
  await startRpcService(AuthServiceModule.forRoot(config), {
    serviceName: 'auth-service',
    queue: 'auth-service',
    natsUrl: config.NATS_URL,
    namespace: config.NATS_NAMESPACE,
    httpHost: config.HTTP_HOST,
    httpPort: config.HTTP_PORT,
  });
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad config, database away at start): say why, then exit.
  process.stderr.write(`auth-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
