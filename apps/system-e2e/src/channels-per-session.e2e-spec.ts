import { DEVICE_CHANNEL, DeviceChannelClose } from '@signoff/contracts';
import { DeviceClient } from '@signoff/device-client';
import WebSocket from 'ws';
import { http, TestStack } from './support/test-stack';

interface Channel {
  socket: WebSocket;
  /** Resolves with the close code and reason once the gateway (or anyone) closed it. */
  closed: Promise<{ code: number; reason: string }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One access token opens at most WS_CHANNELS_PER_SESSION (4) control channels on a gateway: a
 * fifth closes the oldest with 4002 ("replaced"), so a device reconnecting is never refused and
 * a stolen token cannot hold hundreds of sockets. A device client replaced that way does not
 * reconnect and kick the newer channel back.
 */
describe('control channels per session (two gateways)', () => {
  let stack: TestStack;
  const opened: WebSocket[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 120_000);

  afterEach(() => {
    for (const socket of opened.splice(0)) socket.terminate();
  });

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** A raw WebSocket client on `/v1/connect`, open. */
  async function channel(gateway: number, token: string): Promise<Channel> {
    const socket = new WebSocket(`${stack.gateway(gateway).replace(/^http/, 'ws')}${DEVICE_CHANNEL.path}`, { headers: { Authorization: `Bearer ${token}` } });
    opened.push(socket);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return { socket, closed };
  }

  /** Answers a ping through the gateway: the channel is open at both ends. */
  async function expectLive(channels: Channel[]): Promise<void> {
    await Promise.all(
      channels.map(
        ({ socket }) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no pong')), 2_000);
            socket.once('message', (data) => {
              clearTimeout(timer);
              expect(JSON.parse(data.toString())).toEqual({ type: 'pong' });
              resolve();
            });
            socket.send(JSON.stringify({ type: 'ping' }));
          }),
      ),
    );
  }

  async function signIn(email: string, password: string, deviceId: string): Promise<string> {
    const answer = await http(stack.gateway(0), 'POST', '/v1/auth/login', { body: { email, password, device: { id: deviceId, type: 'phone', name: deviceId } } });
    expect(answer.status).toBe(200);
    return answer.body.accessToken as string;
  }

  it('closes the oldest channel of a token with 4002 when a fifth opens; four stay open, and other sessions are untouched', async () => {
    const holder = await stack.signUp();
    const token = await signIn(holder.email, holder.password, 'phone');
    const tv = await channel(0, await signIn(holder.email, holder.password, 'tv'));

    const channels: Channel[] = [];
    for (let i = 0; i < 5; i++) channels.push(await channel(0, token));
    await expect(channels[0].closed).resolves.toEqual({ code: DeviceChannelClose.replaced.code, reason: DeviceChannelClose.replaced.reason });
    expect(DeviceChannelClose.replaced).toEqual({ code: 4002, reason: 'replaced by a newer connection' });
    await expectLive([...channels.slice(1), tv]);

    // A device reconnecting once more is let in; the next oldest makes room.
    channels.push(await channel(0, token));
    await expect(channels[1].closed).resolves.toMatchObject({ code: 4002 });
    await expectLive([...channels.slice(2), tv]);
    expect(channels.slice(2).map((c) => c.socket.readyState)).toEqual(Array(4).fill(WebSocket.OPEN));
  });

  it('counts per gateway: four on one gateway and two on the other all stay open', async () => {
    const holder = await stack.signUp();
    const token = await signIn(holder.email, holder.password, 'phone');
    const channels: Channel[] = [];
    for (const gateway of [0, 0, 0, 0, 1, 1]) channels.push(await channel(gateway, token));
    await sleep(300);
    await expectLive(channels);
  });

  it('a device client whose channel was replaced by newer ones of its session does not reconnect and kick them back', async () => {
    const holder = await stack.signUp();
    const device: DeviceClient = stack.device(0, { id: 'tablet', type: 'tablet', name: 'Tablet' }, { reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    await device.signIn(holder.email, holder.password);
    await device.connect();
    const events: string[] = [];
    device.on('disconnected', ({ code, reason }) => events.push(`disconnected ${code} ${reason}`));
    device.on('connected', () => events.push('connected'));
    const replaced = new Promise((resolve) => device.once('disconnected', resolve));

    const newer: Channel[] = [];
    for (let i = 0; i < 4; i++) newer.push(await channel(0, device.tokens!.accessToken));
    await expect(replaced).resolves.toEqual({ code: 4002, reason: 'replaced by a newer connection' });
    // Ten times the client's longest backoff: it would have reconnected (and closed newer[0]) by now.
    await sleep(500);
    expect(events).toEqual(['disconnected 4002 replaced by a newer connection']);
    expect(device.reconnecting).toBe(false);
    await expectLive(newer);

    // The app may ask for the channel again; that one is the newest and stays.
    await device.connect();
    await expect(newer[0].closed).resolves.toMatchObject({ code: 4002 });
    await expect(device.whoami()).resolves.toMatchObject({ deviceId: 'tablet' });
  });
});
