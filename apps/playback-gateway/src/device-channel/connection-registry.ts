import { Injectable } from '@nestjs/common';
import { DeviceConnection } from './device-connection';

/** The control channels this gateway holds, by account, so a revocation finds them in O(devices). */
@Injectable()
export class ConnectionRegistry {
  private readonly byAccount = new Map<string, Set<DeviceConnection>>();
  private count = 0;

  add(connection: DeviceConnection): void {
    const accountId = connection.principal.accountId;
    let set = this.byAccount.get(accountId);
    if (!set) this.byAccount.set(accountId, (set = new Set()));
    if (!set.has(connection)) {
      set.add(connection);
      this.count++;
    }
  }

  /** @returns whether it was registered. */
  remove(connection: DeviceConnection): boolean {
    const accountId = connection.principal.accountId;
    const set = this.byAccount.get(accountId);
    if (!set?.delete(connection)) return false;
    this.count--;
    if (set.size === 0) this.byAccount.delete(accountId);
    return true;
  }

  ofAccount(accountId: string): DeviceConnection[] {
    return [...(this.byAccount.get(accountId) ?? [])];
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
