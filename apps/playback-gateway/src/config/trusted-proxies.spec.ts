import { loadConfig } from '@signoff/service-kit';
import express from 'express';
import { AddressInfo } from 'node:net';
import { clientAddress } from '../infrastructure/client-address';
import { GatewayConfig } from './gateway.config';
import { trustProxySetting } from './trusted-proxies';

describe('TRUSTED_PROXIES', () => {
  it('accepts addresses, CIDR ranges and Express’s named ranges, and trusts none by default', () => {
    expect(trustProxySetting(loadConfig(GatewayConfig, {}).TRUSTED_PROXIES)).toBe(false);
    const config = loadConfig(GatewayConfig, { TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,192.168.1.7, fd00::/8, uniquelocal' });
    expect(trustProxySetting(config.TRUSTED_PROXIES)).toEqual(['loopback', '10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'uniquelocal']);
  });

  it.each(['true', '1', '*', '10.0.0.0/33', '10.0.0.0/8/1', 'fd00::/129', 'proxy.internal', '10.0.0.0/x'])('refuses %s at start', (value) => {
    expect(() => loadConfig(GatewayConfig, { TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES/);
  });
});

/** What the setting does to `clientAddress` in a real Express app (the gateway's HTTP stack). */
describe('clientAddress behind proxies', () => {
  const addressSeen = async (setting: string, headers: Record<string, string>): Promise<string> => {
    const app = express();
    app.set('trust proxy', trustProxySetting(setting));
    app.get('/', (request, response) => void response.send(clientAddress(request)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers });
      return await response.text();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  };

  it('takes the forwarded client from a trusted proxy', async () => {
    expect(await addressSeen('loopback', { 'X-Forwarded-For': '8.8.8.8' })).toBe('8.8.8.8');
  });

  it('takes the nearest untrusted hop, so a client cannot choose its address by prepending one', async () => {
    expect(await addressSeen('loopback, 10.0.0.0/8', { 'X-Forwarded-For': '9.9.9.9, 1.1.1.1, 10.1.2.3' })).toBe('1.1.1.1');
  });

  it('ignores the header when the peer is not a trusted proxy', async () => {
    expect(await addressSeen('', { 'X-Forwarded-For': '8.8.8.8' })).toBe('127.0.0.1');
    expect(await addressSeen('10.0.0.0/8', { 'X-Forwarded-For': '8.8.8.8' })).toBe('127.0.0.1');
  });
});
