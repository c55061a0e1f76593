import { DEVICE_CHANNEL, DeviceChannelClose, logoutDirective, TokenPair } from '@signoff/contracts';
import { expectEventually } from '@signoff/testing';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { DeviceClient, SignedOutEvent } from './device-client';

/** A stand-in gateway: sign-in and refresh hand out numbered tokens; the channel takes any token but those refused. */
class FakeGateway {
  readonly sockets: WebSocket[] = [];
  readonly refusedTokens = new Set<string>();
  refreshes = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private tokens = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(name: string): Promise<FakeGateway> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const gateway = new FakeGateway(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request, response) => {
      if (request.url === '/v1/auth/refresh') gateway.refreshes++;
      const pair: TokenPair = { accessToken: `${name}-access-${++gateway.tokens}`, refreshToken: `${name}-refresh-${gateway.tokens}`, expiresIn: 600, sessionId: 's1' };
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify(pair));
    });
    server.on('upgrade', (request, socket, head) => {
      const token = request.headers.authorization?.replace('Bearer ', '') ?? '';
      if (request.url !== DEVICE_CHANNEL.path || gateway.refusedTokens.has(token)) {
        const body = JSON.stringify({ error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
        socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      gateway.wss.handleUpgrade(request, socket, head, (ws) => gateway.sockets.push(ws));
    });
    return gateway;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('DeviceClient control channel', () => {
  const fast = { initialDelayMs: 20, maxDelayMs: 50 };
  let a: FakeGateway;
  let b: FakeGateway;
  const clients: DeviceClient[] = [];

  beforeEach(async () => {
    [a, b] = await Promise.all([FakeGateway.start('a'), FakeGateway.start('b')]);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all([a.stop(), b.stop()]);
  });

  async function connected(options: Partial<ConstructorParameters<typeof DeviceClient>[0]> = {}): Promise<DeviceClient> {
    const client = new DeviceClient({ baseUrl: a.url, baseUrls: [b.url], device: { id: 'tv', type: 'tv', name: 'TV' }, reconnect: fast, ...options });
    clients.push(client);
    await client.signIn('holder@signoff.test', 'pw');
    await client.connect();
    await expectEventually(() => expect(a.sockets).toHaveLength(1));
    return client;
  }

  it('reconnects to the next gateway after a 1012, and sends its requests there', async () => {
    const client = await connected();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    const back = new Promise((resolve) => client.once('connected', resolve));

    a.sockets[0].close(DeviceChannelClose.serviceRestart.code, DeviceChannelClose.serviceRestart.reason);

    expect(await disconnected).toEqual(DeviceChannelClose.serviceRestart);
    expect(client.reconnecting).toBe(true);
    expect(await back).toEqual({ baseUrl: b.url, reconnect: true });
    expect(client.reconnecting).toBe(false);
    expect(b.sockets).toHaveLength(1);
    expect(client.baseUrl).toBe(b.url);
  });

  it('reconnects after a dropped connection too', async () => {
    const client = await connected();
    const back = new Promise((resolve) => client.once('connected', resolve));
    a.sockets[0].terminate();
    expect(await back).toEqual({ baseUrl: b.url, reconnect: true });
  });

  it('refreshes a refused token, then reconnects with the new one', async () => {
    const client = await connected();
    b.refusedTokens.add(client.tokens!.accessToken);
    a.refusedTokens.add(client.tokens!.accessToken);
    const back = new Promise((resolve) => client.once('connected', resolve));

    a.sockets[0].close(DeviceChannelClose.serviceRestart.code);

    await back;
    expect(a.refreshes + b.refreshes).toBe(1);
    expect(a.refusedTokens.has(client.tokens!.accessToken)).toBe(false);
  });

  it('obeys a logout directive once and stays closed after 4001', async () => {
    const client = await connected();
    const out: SignedOutEvent[] = [];
    client.on('signed-out', (event) => out.push(event));
    const closed = client.closed();

    a.sockets[0].send(JSON.stringify(logoutDirective('rev-1', 'sign_out_all')));
    a.sockets[0].close(DeviceChannelClose.signedOut.code);

    expect(await closed).toEqual({ code: DeviceChannelClose.signedOut.code });
    expect(out).toEqual([{ revocationId: 'rev-1', reason: 'sign_out_all', via: 'websocket' }]);
    expect(client.isSignedIn).toBe(false);
    expect(client.reconnecting).toBe(false);
  });

  it('stays closed, still signed in, after 4002 (replaced by a newer channel of its session); connect() opens it again', async () => {
    const client = await connected();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    let reconnected = false;
    client.on('connected', () => (reconnected = true));

    a.sockets[0].close(DeviceChannelClose.replaced.code, DeviceChannelClose.replaced.reason);

    expect(await disconnected).toEqual(DeviceChannelClose.replaced);
    expect(client.reconnecting).toBe(false);
    // Ten times the longest backoff: no attempt was made on either gateway.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect({ reconnected, a: a.sockets.length, b: b.sockets.length }).toEqual({ reconnected: false, a: 1, b: 0 });
    expect(client.isSignedIn).toBe(true);

    await client.connect();
    expect(a.sockets).toHaveLength(2);
  });

  it('gives up after maxAttempts when no gateway answers', async () => {
    const client = await connected({ reconnect: { ...fast, maxAttempts: 3 } });
    const failed = new Promise<{ attempts: number }>((resolve) => client.once('reconnect-failed', resolve));
    await b.stop();
    const closed = client.closed();
    await a.stop();
    await closed;

    expect((await failed).attempts).toBe(3);
    expect(client.reconnecting).toBe(false);
  });

  it('stays closed with reconnect: false', async () => {
    const client = await connected({ reconnect: false });
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    a.sockets[0].close(DeviceChannelClose.serviceRestart.code);
    expect(await disconnected).toEqual({ code: DeviceChannelClose.serviceRestart.code, reason: '' });
    expect(client.reconnecting).toBe(false);
  });
});
