import { connect, ConnectionOptions, NatsConnection } from 'nats';

/**
 * A connection that keeps trying for ever: a broker outage delays work, it never ends the
 * process. `waitOnFirstConnect` lets a service start before the broker does.
 */
export function connectNats(url: string, name: string, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    waitOnFirstConnect: true,
    pingInterval: 5_000,
    maxPingOut: 2,
    ...extra,
  });
}

/** Nest transport options with the same reconnect policy. */
export function natsTransportOptions(url: string, name: string): Partial<ConnectionOptions> {
  return {
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 5_000,
    maxPingOut: 2,
  };
}
