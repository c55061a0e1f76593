import 'reflect-metadata';
import { startRpcService } from '@signoff/service-kit';
import { DeviceRegistryModule } from './app.module';
import { loadRegistryConfig } from './config/registry.config';

async function main(): Promise<void> {
  const config = loadRegistryConfig();
  await startRpcService(DeviceRegistryModule.forRoot(config), {
    serviceName: 'device-registry',
    queue: 'device-registry',
    natsUrl: config.NATS_URL,
    namespace: config.NATS_NAMESPACE,
    httpHost: config.HTTP_HOST,
    httpPort: config.HTTP_PORT,
  });
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad config): stderr is all there is.
  console.error(`device-registry failed to start: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
