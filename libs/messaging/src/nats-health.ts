import { DebugEvents, Events, NatsConnection } from 'nats';

/**
 * The one rule for "is this NATS connection up", for every service: not closed, not draining,
 * and not between a disconnect and the reconnect that ends it (`isClosed()` alone stays false
 * through an outage, while the client keeps trying). Listeners hear each transition.
 */
export class NatsHealth {
  private connected = true;
  private readonly listeners: Array<(connected: boolean) => void> = [];

  constructor(private readonly nc: NatsConnection) {
    // Runs for the life of the connection; a pending loop does not keep the process alive.
    void this.watch();
  }

  get healthy(): boolean {
    return this.connected && !this.nc.isClosed() && !this.nc.isDraining();
  }

  /** `listener(false)` on a disconnect, `listener(true)` once reconnected. */
  onChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  private async watch(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === Events.Disconnect || status.type === DebugEvents.Reconnecting) this.set(false);
        else if (status.type === Events.Reconnect) this.set(true);
      }
    } catch {
      // Nothing to do: `healthy` reads isClosed() as well.
    }
  }

  private set(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const listener of this.listeners) listener(connected);
  }
}
