import { HttpAdapterHost } from '@nestjs/core';
import { Readiness } from '@signoff/service-kit';
import { expectEventually } from '@signoff/testing';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DeviceChannelServer } from './device-channel.server';
import { CLOSE_RESERVE_MS, GatewayDrain } from './gateway-drain';

/** A real HTTP server with one slow route the test releases, behind a GatewayDrain; the device channel is a fake. */
function setUp() {
  let releaseSlow!: () => void;
  const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
  let slowArrived!: () => void;
  const slowStarted = new Promise<void>((resolve) => (slowArrived = resolve));
  const server: Server = createServer((request, response) => {
    if (request.url === '/slow') {
      slowArrived();
      void slowReleased.then(() => response.end('slow done'));
    } else {
      response.end('fast');
    }
  });
  let devicesGone!: () => void;
  const channel = {
    connectedDevices: 2,
    reconnectAllElsewhere: jest.fn(() => new Promise<void>((resolve) => (devicesGone = resolve))),
  };
  const readiness = new Readiness();
  const adapterHost = { httpAdapter: { getHttpServer: () => server } } as unknown as HttpAdapterHost;
  const drain = new GatewayDrain(adapterHost, channel as unknown as DeviceChannelServer, readiness);
  return { server, channel, readiness, drain, releaseSlow, slowStarted, devicesGone: () => devicesGone() };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('GatewayDrain', () => {
  let t: ReturnType<typeof setUp>;
  let url: string;

  beforeEach(async () => {
    t = setUp();
    url = await listen(t.server);
  });

  afterEach(async () => {
    t.releaseSlow();
    t.server.closeAllConnections();
    await new Promise((resolve) => t.server.close(resolve));
  });

  it('turns not ready at once and tells the devices to reconnect over the window', async () => {
    expect(await t.readiness.evaluate()).toEqual({ ready: true, checks: { accepting: true } });

    void t.drain.drain({ windowMs: 1_500, deadline: Date.now() + 20_000 });

    expect(t.drain.draining).toBe(true);
    expect(await t.readiness.evaluate()).toEqual({ ready: false, checks: { accepting: false } });
    expect(t.channel.reconnectAllElsewhere).toHaveBeenCalledTimes(1);
    expect(t.channel.reconnectAllElsewhere).toHaveBeenCalledWith(1_500);
  });

  it('serves requests (Connection: close) while devices move, then refuses new connections and lets the one in flight finish', async () => {
    const slow = fetch(`${url}/slow`).then(async (r) => ({ status: r.status, body: await r.text() }));
    await t.slowStarted;
    let drained = false;
    const drain = t.drain.drain({ windowMs: 1_000, deadline: Date.now() + 20_000 }).then(() => (drained = true));

    const meanwhile = await fetch(`${url}/fast`);
    expect(meanwhile.status).toBe(200);
    expect(meanwhile.headers.get('connection')).toBe('close');

    t.devicesGone();
    await expectEventually(() => expect(fetch(`${url}/fast`)).rejects.toThrow());
    expect(drained).toBe(false);

    t.releaseSlow();
    await expect(slow).resolves.toEqual({ status: 200, body: 'slow done' });
    await drain;
    expect(drained).toBe(true);
  });

  it('cuts a request still running near the deadline, and is done in time', async () => {
    const slow = fetch(`${url}/slow`);
    await t.slowStarted;
    const startedAt = Date.now();
    const drain = t.drain.drain({ windowMs: 0, deadline: startedAt + CLOSE_RESERVE_MS + 300 });
    t.devicesGone();

    await drain;
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await expect(slow).rejects.toThrow();
  });

  it('runs once: a second signal joins the first drain', async () => {
    const first = t.drain.drain({ windowMs: 0, deadline: Date.now() + 20_000 });
    const second = t.drain.drain({ windowMs: 0, deadline: Date.now() + 20_000 });
    expect(second).toBe(first);
    t.devicesGone();
    await first;
    expect(t.channel.reconnectAllElsewhere).toHaveBeenCalledTimes(1);
  });
});
