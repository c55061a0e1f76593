import { loadConfig } from '@signoff/service-kit';
import { GatewayConfig } from './config/gateway.config';
import { startGateway } from './gateway';

void startGateway(loadConfig(GatewayConfig)).catch((error: unknown) => {
  console.error('playback-gateway failed to start:', error);
  process.exit(1);
});
