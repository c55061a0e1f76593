import { Injectable } from '@nestjs/common';
import { DeviceConnection } from './device-connection';

/**
 * The control channels this gateway holds, by account, so a revocation finds them in O(devices),
 * and by session, so the channels one access token holds can be counted.
 */
@Injectable()
export class ConnectionRegistry {
  private readonly byAccount = new Map<string, Set<DeviceConnection>>();
  private readonly bySession = new Map<string, Set<DeviceConnection>>();
  private count = 0;

  add(connection: DeviceConnection): void {
    const { accountId, sessionId } = connection.principal;
    let set = this.byAccount.get(accountId);
    if (!set) this.byAccount.set(accountId, (set = new Set()));
    if (!set.has(connection)) {
      set.add(connection);
      let ofSession = this.bySession.get(sessionId);
      if (!ofSession) this.bySession.set(sessionId, (ofSession = new Set()));
      ofSession.add(connection);
      this.count++;
    }
  }

  /** @returns whether it was registered. */
  remove(connection: DeviceConnection): boolean {
    const { accountId, sessionId } = connection.principal;
    const set = this.byAccount.get(accountId);
    if (!set?.delete(connection)) return false;
    this.count--;
    if (set.size === 0) this.byAccount.delete(accountId);
    const ofSession = this.bySession.get(sessionId);
    ofSession?.delete(connection);
    if (ofSession?.size === 0) this.bySession.delete(sessionId);
    return true;
  }

  ofAccount(accountId: string): DeviceConnection[] {
    return [...(this.byAccount.get(accountId) ?? [])];
  }

  /** The channels of one session (access token), oldest first. */
  ofSession(sessionId: string): DeviceConnection[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  /** Whether this gateway still holds another channel of the same device. */
  holdsDevice(accountId: string, deviceId: string): boolean {
    for (const c of this.byAccount.get(accountId) ?? []) if (c.principal.deviceId === deviceId) return true;
    return false;
  }

  all(): DeviceConnection[] {
    return [...this.byAccount.values()].flatMap((set) => [...set]);
  }

  get size(): number {
    return this.count;
  }
}
