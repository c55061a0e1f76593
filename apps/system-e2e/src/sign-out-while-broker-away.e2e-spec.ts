import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually, freePort, TcpProxy, testServers } from '@signoff/testing';
import Redis from 'ioredis';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { http, proxiedNats, TestStack } from './support/test-stack';

/**
 * The broker is away for events but request/reply still works (a stream lost, a proxy cutting
 * the gateway's event connection, a JetStream leader gone): the gateway's revocation view is
 * stale and auth-service cannot publish. Signing out is still accepted, each caller's session
 * checked by auth-service itself; reads keep failing closed; the events wait in the outbox and
 * cut the devices once the broker is back. And a gateway that cut a device but could not report
 * it before it was killed: another gateway delivers the report it left in Redis.
 */
describe('signing out while the broker is away', () => {
  let stack: TestStack;
  let gatewayNats: NamedConnectionProxy;
  let doomedGatewayNats: NamedConnectionProxy;
  let authEvents: TcpProxy;

  beforeAll(async () => {
    const { natsUrl } = await testServers();
    gatewayNats = await NamedConnectionProxy.start(natsUrl);
    doomedGatewayNats = await NamedConnectionProxy.start(natsUrl);
    const events = await proxiedNats();
    authEvents = events.proxy;
    stack = await TestStack.start({
      gateways: 2,
      gatewayEnv: (): Array<Record<string, string>> => [{ NATS_URL: gatewayNats.url, RPC_TIMEOUT_MS: '1500' }, { NATS_URL: doomedGatewayNats.url }],
      authEnv: { EVENTS_NATS_URL: events.url },
    });
  }, 120_000);

  afterAll(async () => {
    gatewayNats?.restore();
    await authEvents?.restore();
    await stack?.stop();
    await gatewayNats?.stop();
    await doomedGatewayNats?.stop();
    await authEvents?.stop();
  }, 60_000);

  it('accepts sign-outs (202) with the session checked by auth-service, keeps reads closed, and cuts the devices once events flow', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 0 });
    const tablet = stack.device(0, { id: 'tablet', type: 'tablet', name: 'Tablet' });
    await tablet.signIn(holder.email, holder.password);
    await tablet.connect();
    const [phoneToken, tvToken] = [phone.tokens!.accessToken, tv.tokens!.accessToken];
    let restored = false;
    const signedOut = (device: typeof tv) =>
      new Promise<{ event: SignedOutEvent; afterRestore: boolean }>((resolve) => device.once('signed-out', (event) => resolve({ event, afterRestore: restored })));
    const [tvOut, tabletOut] = [signedOut(tv), signedOut(tablet)];

    // The gateway's event connection and auth-service's publishing connection go; request/reply stays.
    gatewayNats.cut(EVENT_CONNECTION);
    await authEvents.cut();
    await expectEventually(async () => expect((await http(stack.gateway(0), 'GET', '/health/ready')).body.checks['revocation-view']).toBe(false));
    const read = await http(stack.gateway(0), 'GET', '/v1/devices', { token: phoneToken });
    expect([read.status, read.body.error.code]).toEqual([503, 'REVOCATION_VIEW_STALE']);

    const one = await http(stack.gateway(0), 'POST', '/v1/devices/tablet/not-recognised', { token: phoneToken });
    expect(one.status).toBe(202);
    const stepUp = await http(stack.gateway(0), 'POST', '/v1/auth/step-up', { token: phoneToken, body: { password: holder.password } });
    expect(stepUp.status).toBe(200);
    const all = await http(stack.gateway(0), 'POST', '/v1/sessions/revoke-all', { token: phoneToken, body: {}, headers: { 'X-Reauth-Token': stepUp.body.reauthToken } });
    expect(all.status).toBe(202);

    // The phone signed itself out too: the stale view does not know it yet, auth-service does.
    const again = await http(stack.gateway(0), 'POST', '/v1/devices/tv/sign-out', { token: phoneToken });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error: { code: 'SESSION_REVOKED' }, logout: { revocationId: all.body.revocationId } });

    // Without request/reply either, nobody can confirm a session: 503, the same code.
    gatewayNats.cut(RPC_CONNECTION);
    const unconfirmed = await http(stack.gateway(0), 'POST', '/v1/auth/logout', { token: tvToken });
    expect([unconfirmed.status, unconfirmed.body.error.code]).toEqual([503, 'REVOCATION_VIEW_STALE']);

    // Nothing has been published: both devices are still connected.
    expect([tv.signedOutBy, tablet.signedOutBy]).toEqual([undefined, undefined]);

    restored = true;
    gatewayNats.restore();
    await authEvents.restore();
    const [tvCut, tabletCut] = await Promise.all([tvOut, tabletOut]);
    expect(tabletCut).toEqual({ event: { revocationId: one.body.revocationId, reason: 'device_not_recognised', via: 'websocket' }, afterRestore: true });
    expect(tvCut).toEqual({ event: { revocationId: all.body.revocationId, reason: 'sign_out_all', via: 'websocket' }, afterRestore: true });
    await expectEventually(async () => expect((await http(stack.gateway(0), 'GET', '/health/ready')).body.checks['revocation-view']).toBe(true), { timeoutMs: 10_000 });
    const refused = await http(stack.gateway(0), 'GET', '/v1/auth/whoami', { token: tvToken });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'SESSION_REVOKED']);

    // The holder signs in again and follows the first sign-out: one device, as auth-service recorded it.
    await phone.signIn(holder.email, holder.password);
    await expectEventually(async () =>
      expect(await phone.request('GET', `/v1/revocations/${one.body.revocationId}`)).toMatchObject({
        scope: 'device',
        completedAt: expect.any(String),
        devices: [{ deviceId: 'tablet', state: expect.stringMatching(/^(cut|acknowledged)$/) }],
      }),
    );
  }, 60_000);

  it('delivers the progress report of a gateway killed before it could publish it: kept in Redis, sent by another gateway', async () => {
    const { tv, phone } = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const tvOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));
    // Gateway 2 still hears the broker (its pull is open), but nothing it says reaches it.
    doomedGatewayNats.freeze();
    const { revocationId } = await phone.request<{ revocationId: string }>('POST', '/v1/devices/tv/sign-out');
    expect(await tvOut).toMatchObject({ revocationId, via: 'websocket' });

    const env = stack.stack.gateways[1].process.options.env;
    const redis = new Redis(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX, lazyConnect: true });
    try {
      await expectEventually(async () => {
        const entries = await redis.zrange('progress-reports:undelivered', 0, -1);
        expect(entries.map((e) => JSON.parse(e) as { subject: string; message: { gatewayId: string } })).toContainEqual(
          expect.objectContaining({ subject: 'playback.device.cut.v1', message: expect.objectContaining({ gatewayId: 'playback-gateway-2' }) }),
        );
      });
    } finally {
      redis.disconnect();
    }
    await stack.stack.gateways[1].process.kill();

    // Not `pending` for ever: gateway 1 finds the dead gateway's report and publishes it.
    await expectEventually(
      async () =>
        expect(await phone.request('GET', `/v1/revocations/${revocationId}`)).toMatchObject({
          completedAt: expect.any(String),
          devices: [{ deviceId: 'tv', state: expect.stringMatching(/^(cut|acknowledged)$/) }],
        }),
      { timeoutMs: 15_000 },
    );
  }, 60_000);
});

/** Connection names the gateway gives NATS (`PlatformModule`). */
const EVENT_CONNECTION = 'playback-gateway-events:';
const RPC_CONNECTION = 'playback-gateway-rpc:';

/**
 * A TCP proxy to NATS that knows each connection by the name its client sends in CONNECT, so a
 * test can cut one connection of a process (the gateway's events) and keep another (its
 * request/reply). A cut drops the named connections; until `restore()` every new connection is
 * refused before the handshake (a name is known only after it, and nats.js recovers from a
 * connection closed during the handshake only at its next stale-connection check, ~20 s later).
 * `freeze()` stops everything clients send while what the server sends still flows.
 */
class NamedConnectionProxy {
  private readonly connections = new Set<{ name: string; client: Socket; upstream: Socket }>();
  private readonly cutNames = new Set<string>();
  private frozen = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(natsUrl: string): Promise<NamedConnectionProxy> {
    const target = new URL(natsUrl);
    const port = await freePort();
    let proxy: NamedConnectionProxy | undefined = undefined;
    const server = createServer((client) => proxy?.accept(client, target.hostname, Number(target.port || 4222)));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    proxy = new NamedConnectionProxy(server, `nats://127.0.0.1:${port}`);
    return proxy;
  }

  /** Drops the connections whose name starts with `prefix`, and refuses new ones until `restore()`. */
  cut(prefix: string): void {
    this.cutNames.add(prefix);
    for (const connection of this.connections) if (this.isCut(connection.name)) this.drop(connection);
  }

  restore(): void {
    this.cutNames.clear();
  }

  /** For good: clients still receive, but nothing they send reaches the server (their publishes time out). */
  freeze(): void {
    this.frozen = true;
    for (const { client, upstream } of this.connections) {
      client.unpipe(upstream);
      client.removeAllListeners('data');
      client.pause();
    }
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) this.drop(connection);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.cutNames.size > 0 || this.frozen) return void client.destroy();
    const upstream = createConnection({ host, port });
    const connection = { name: '', client, upstream };
    this.connections.add(connection);
    for (const socket of [client, upstream]) socket.on('error', () => this.drop(connection)).on('close', () => this.drop(connection));
    upstream.pipe(client);
    // Hold what the client says until its CONNECT names it (the first line it sends).
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const connect = /^CONNECT\s+(\{.*\})/i.exec(head.slice(0, end));
      connection.name = connect ? String((JSON.parse(connect[1]) as { name?: unknown }).name ?? '') : '';
      upstream.write(Buffer.from(head, 'latin1'));
      client.pipe(upstream);
    };
    client.on('data', onData);
  }

  private isCut(name: string): boolean {
    return [...this.cutNames].some((prefix) => name.startsWith(prefix));
  }

  private drop(connection: { client: Socket; upstream: Socket }): void {
    connection.client.destroy();
    connection.upstream.destroy();
    this.connections.delete(connection as { name: string; client: Socket; upstream: Socket });
  }
}
