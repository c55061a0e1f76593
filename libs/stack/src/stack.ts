import { ServiceProcess } from './service-process';

export interface StackOptions {
  workspaceRoot: string;
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  /** NATS namespace and Redis key prefix; empty namespace for a real deployment. */
  namespace: string;
  redisPrefix: string;
  gatewayPorts: number[];
  authPort: number;
  registryPort: number;
  logLevel?: string;
  output: 'inherit' | { logDir: string };
  /** Extra settings for every service (e.g. a short access-token lifetime in a test). */
  env?: Record<string, string>;
  /** Extra settings for auth-service alone (e.g. its event connection through a test proxy). */
  authEnv?: Record<string, string>;
  /** Extra settings for one gateway, by index (e.g. its own NATS_URL through a test proxy). */
  gatewayEnv?: Array<Record<string, string> | undefined>;
}

export interface GatewayHandle {
  name: string;
  port: number;
  url: string;
  process: ServiceProcess;
}

/**
 * The whole Signoff stack as separate processes: migrations first, then auth-service and
 * device-registry, then the gateways (each ready only once its revocation view is rebuilt).
 */
export class Stack {
  readonly auth: ServiceProcess;
  readonly registry: ServiceProcess;
  readonly gateways: GatewayHandle[];

  constructor(private readonly options: StackOptions) {
    this.auth = this.service('auth-service', 'apps/auth-service/src/main.ts', options.authPort, options.authEnv);
    this.registry = this.service('device-registry', 'apps/device-registry/src/main.ts', options.registryPort);
    this.gateways = options.gatewayPorts.map((port, index) => {
      const name = `playback-gateway-${index + 1}`;
      return {
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        process: this.service(name, 'apps/playback-gateway/src/main.ts', port, { GATEWAY_ID: name, ...options.gatewayEnv?.[index] }),
      };
    });
  }

  async start(): Promise<void> {
    await this.migrate();
    await Promise.all([this.auth.start(), this.registry.start()]);
    await Promise.all(this.gateways.map((g) => g.process.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.gateways.map((g) => g.process.stop()));
    await Promise.all([this.auth.stop(), this.registry.stop()]);
  }

  /** Runs each service's migrations (its own schema) as a one-off process. */
  async migrate(): Promise<void> {
    for (const [name, entry] of [
      ['migrate-auth-service', 'apps/auth-service/src/migrate.ts'],
      ['migrate-device-registry', 'apps/device-registry/src/migrate.ts'],
    ] as const) {
      const migration = new ServiceProcess({ name, entry, env: this.env(), workspaceRoot: this.options.workspaceRoot, output: this.options.output });
      await migration.start();
      await waitForExit(migration, 60_000);
      if (migration.exitCode !== 0) throw new Error(`${name} failed with exit code ${migration.exitCode}`);
    }
  }

  private service(name: string, entry: string, port: number, extra: Record<string, string> = {}): ServiceProcess {
    return new ServiceProcess({
      name,
      entry,
      env: { ...this.env(), HTTP_PORT: String(port), ...extra },
      workspaceRoot: this.options.workspaceRoot,
      output: this.options.output,
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
    });
  }

  private env(): Record<string, string> {
    const o = this.options;
    return {
      DATABASE_URL: o.databaseUrl,
      NATS_URL: o.natsUrl,
      REDIS_URL: o.redisUrl,
      NATS_NAMESPACE: o.namespace,
      REDIS_KEY_PREFIX: o.redisPrefix,
      LOG_LEVEL: o.logLevel ?? 'info',
      // Public development keys and local addresses: a stack on one machine, never real accounts.
      SIGNOFF_ENV: 'development',
      ...o.env,
    };
  }
}

async function waitForExit(process: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (process.exitCode === null) {
    if (Date.now() > deadline) {
      await process.kill();
      throw new Error(`${process.options.name} did not finish within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
