import { DeviceClient, DeviceClientOptions } from '@signoff/device-client';
import { Stack } from '@signoff/stack';
import { cleanupNamespace, createEmptyDatabase, freePort, TcpProxy, testServers, TestDatabase, uniqueNamespace } from '@signoff/testing';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

/** A whole Signoff stack for one spec file: its own database, namespace and key prefix. */
export class TestStack {
  private readonly clients: DeviceClient[] = [];

  private constructor(
    readonly stack: Stack,
    private readonly database: TestDatabase,
    /** NATS namespace (subjects, streams) and Redis key prefix of this stack. */
    readonly namespace: string,
    readonly natsUrl: string,
    private readonly redisUrl: string,
    readonly logDir: string,
  ) {}

  static async start(
    options: {
      gateways?: number;
      env?: Record<string, string>;
      authEnv?: Record<string, string>;
      gatewayEnv?: (servers: { natsUrl: string }) => Array<Record<string, string> | undefined>;
    } = {},
  ): Promise<TestStack> {
    const servers = await testServers();
    const database = await createEmptyDatabase(servers.adminDatabaseUrl);
    const namespace = uniqueNamespace();
    const ports = await Promise.all(Array.from({ length: (options.gateways ?? 2) + 2 }, () => freePort()));
    const logDir = join(WORKSPACE_ROOT, 'tmp', 'e2e-logs', namespace);
    const stack = new Stack({
      workspaceRoot: WORKSPACE_ROOT,
      databaseUrl: database.url,
      natsUrl: servers.natsUrl,
      redisUrl: servers.redisUrl,
      namespace,
      redisPrefix: `${namespace}:`,
      authPort: ports[0],
      registryPort: ports[1],
      gatewayPorts: ports.slice(2),
      logLevel: 'info',
      output: { logDir },
      env: options.env,
      authEnv: options.authEnv,
      gatewayEnv: options.gatewayEnv?.({ natsUrl: servers.natsUrl }),
    });
    const testStack = new TestStack(stack, database, namespace, servers.natsUrl, servers.redisUrl, logDir);
    try {
      await stack.start();
    } catch (error) {
      await testStack.stop();
      throw error;
    }
    return testStack;
  }

  gateway(index: number): string {
    return this.stack.gateways[index].url;
  }

  /** The stack's database, for tests that must move time along (e.g. a session reaching its end). */
  get databaseUrl(): string {
    return this.database.url;
  }

  async stop(): Promise<void> {
    // Sockets a failed test left open would keep Jest alive.
    for (const client of this.clients) client.disconnect();
    await this.stack.stop();
    await this.database.drop();
    await cleanupNamespace({ natsUrl: this.natsUrl, namespace: this.namespace, redisUrl: this.redisUrl, redisPrefix: `${this.namespace}:` });
  }

  /** Signs up a fresh account and returns its credentials. */
  async signUp(plan: 'basic' | 'standard' | 'premium' = 'premium'): Promise<{ email: string; password: string; accountId: string }> {
    const email = `holder-${randomBytes(5).toString('hex')}@signoff.test`;
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const response = await fetch(`${this.gateway(0)}/v1/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password, plan }),
    });
    if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
    const { accountId } = (await response.json()) as { accountId: string };
    return { email, password, accountId };
  }

  /**
   * The usual cast: a fresh account with a TV (its control channel open) and a phone, each
   * signed in through the gateway given.
   */
  async tvAndPhone(gateways: { tv: number; phone: number }): Promise<{ holder: { email: string; password: string; accountId: string }; tv: DeviceClient; phone: DeviceClient }> {
    const holder = await this.signUp();
    const tv = this.device(gateways.tv, { id: 'tv', type: 'tv', name: 'TV' });
    const phone = this.device(gateways.phone, { id: 'phone', type: 'phone', name: 'Phone' });
    await tv.signIn(holder.email, holder.password);
    await phone.signIn(holder.email, holder.password);
    await tv.connect();
    return { holder, tv, phone };
  }

  device(gatewayIndex: number, device: DeviceClientOptions['device'], extra: Partial<DeviceClientOptions> = {}): DeviceClient {
    const client = new DeviceClient({ baseUrl: this.gateway(gatewayIndex), device, ...extra });
    this.clients.push(client);
    return client;
  }
}

/** A proxy to the test NATS server that a test can cut, and the URL that goes through it. */
export async function proxiedNats(): Promise<{ proxy: TcpProxy; url: string }> {
  const { natsUrl } = await testServers();
  const target = new URL(natsUrl);
  const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 4222) });
  return { proxy, url: proxy.urlFor(natsUrl) };
}

/** A raw HTTP call, for asserting exact statuses and bodies. */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers['Content-Type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}
