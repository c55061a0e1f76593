import { DebugEvents, Events, NatsConnection } from 'nats';

/** Injection token of the service's own NATS connection (JetStream publishing). */
export const NATS_CONNECTION = Symbol('auth-service NATS connection');

/**
 * Follows the connection's status so readiness can say "not connected" while the client
 * reconnects; `isClosed()` alone stays false through an outage.
 */
export class NatsConnectionHealth {
  private connected = true;

  constructor(private readonly nc: NatsConnection) {
    // Runs for the life of the connection; a pending loop does not keep the process alive.
    void this.watch();
  }

  get healthy(): boolean {
    return this.connected && !this.nc.isClosed() && !this.nc.isDraining();
  }

  private async watch(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === Events.Disconnect || status.type === DebugEvents.Reconnecting) this.connected = false;
        else if (status.type === Events.Reconnect) this.connected = true;
      }
    } catch {
      // Nothing to do: `healthy` reads isClosed() as well.
    }
  }
}
