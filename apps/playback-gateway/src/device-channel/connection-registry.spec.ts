import { Principal } from '@signoff/contracts';
import { ConnectionRegistry } from './connection-registry';
import { DeviceConnection } from './device-connection';

const connection = (accountId: string, deviceId: string, sessionId = `${deviceId}-s`): DeviceConnection => ({
  socket: {} as DeviceConnection['socket'],
  principal: { accountId, deviceId, sessionId, kids: false, plan: 'basic', epoch: 1, expiresAt: 0 } as Principal,
  connectedAt: 0,
  alive: true,
});

describe('ConnectionRegistry', () => {
  it('finds connections by account and counts them once', () => {
    const registry = new ConnectionRegistry();
    const tv = connection('a', 'tv');
    const phone = connection('a', 'phone');
    const other = connection('b', 'tv');
    registry.add(tv);
    registry.add(tv);
    registry.add(phone);
    registry.add(other);
    expect(registry.size).toBe(3);
    expect(registry.ofAccount('a')).toEqual([tv, phone]);
    expect(registry.ofAccount('nobody')).toEqual([]);
  });

  it('removes a connection once and knows whether the device is still held', () => {
    const registry = new ConnectionRegistry();
    const first = connection('a', 'tv');
    const second = connection('a', 'tv');
    registry.add(first);
    registry.add(second);
    expect(registry.remove(first)).toBe(true);
    expect(registry.remove(first)).toBe(false);
    expect(registry.holdsDevice('a', 'tv')).toBe(true);
    registry.remove(second);
    expect(registry.holdsDevice('a', 'tv')).toBe(false);
    expect(registry.size).toBe(0);
    expect(registry.all()).toEqual([]);
  });

  it('lists the channels of one session, oldest first, and forgets the session with its last channel', () => {
    const registry = new ConnectionRegistry();
    const [first, second, third] = [connection('a', 'tv', 's1'), connection('a', 'tv', 's1'), connection('a', 'tv', 's1')];
    const otherSession = connection('a', 'tv', 's2');
    for (const c of [first, otherSession, second, third]) registry.add(c);
    expect(registry.ofSession('s1')).toEqual([first, second, third]);
    registry.remove(second);
    expect(registry.ofSession('s1')).toEqual([first, third]);
    registry.remove(first);
    registry.remove(third);
    expect(registry.ofSession('s1')).toEqual([]);
    expect(registry.ofSession('s2')).toEqual([otherSession]);
  });
});
