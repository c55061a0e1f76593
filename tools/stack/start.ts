/**
 * `npm start`: migrations, auth-service, device-registry and two gateways (8080, 8081) against
 * the servers named by DATABASE_URL, NATS_URL and REDIS_URL (default: this machine's), then a
 * short demonstration that signing out reaches every device. Ctrl-C stops everything cleanly.
 */
import { ensureDatabase, Stack } from '@signoff/stack';
import { resolve } from 'node:path';
import { runAccountPageDemo } from './account-page-demo';
import { runDemo } from './demo';

const env = process.env;
const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/signoff';
const gatewayPorts = (env.GATEWAY_PORTS ?? '8080,8081').split(',').map(Number);

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl);
  const stack = new Stack({
    workspaceRoot: resolve(__dirname, '../..'),
    databaseUrl,
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    namespace: env.NATS_NAMESPACE ?? '',
    redisPrefix: env.REDIS_KEY_PREFIX ?? 'signoff:',
    gatewayPorts,
    authPort: Number(env.AUTH_HTTP_PORT ?? 3101),
    registryPort: Number(env.REGISTRY_HTTP_PORT ?? 3102),
    logLevel: env.LOG_LEVEL ?? 'warn',
    output: 'inherit',
  });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Signoff…`);
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  console.log('starting Signoff: migrations, auth-service, device-registry, gateways…');
  await stack.start();
  console.log(
    [
      '',
      'Signoff is running.',
      ...stack.gateways.map((g) => `  gateway ${g.name}: ${g.url}  (API /v1, WebSocket /v1/connect, docs ${g.url}/docs, health ${g.url}/health/ready)`),
      `  account page: ${stack.gateways[0].url.replace('127.0.0.1', 'localhost')}/account`,
      `  auth-service health: http://127.0.0.1:${env.AUTH_HTTP_PORT ?? 3101}/health/ready`,
      `  device-registry health: http://127.0.0.1:${env.REGISTRY_HTTP_PORT ?? 3102}/health/ready`,
      '',
    ].join('\n'),
  );
  if (env.SIGNOFF_DEMO !== 'off') {
    // The demonstration is a courtesy: if it cannot run (e.g. sign-up throttled after many
    // restarts within the hour), say why and keep the stack running.
    await runDemo(stack.gateways.map((g) => g.url)).catch((error: unknown) =>
      console.log(`  demo: skipped (${error instanceof Error ? error.message : String(error)})`),
    );
    await runAccountPageDemo(stack.gateways.map((g) => g.url)).catch((error: unknown) =>
      console.log(`  account page demo: skipped (${error instanceof Error ? error.message : String(error)})`),
    );
  }
  console.log('Press Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  console.error('Signoff failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
