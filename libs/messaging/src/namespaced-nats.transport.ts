import { ClientNats, NatsOptions, ServerNats } from '@nestjs/microservices';
import { NatsConnection } from 'nats';
import { NatsHealth } from './nats-health';
import { NatsNamespace } from './nats-namespace';

type NatsTransportOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS transport with every pattern placed under a namespace. Nest normalises a pattern
 * both when it registers a handler and when a message arrives on the (already prefixed)
 * channel, so the prefix is added only once.
 */
export class NamespacedNatsServer extends ServerNats {
  private health?: NatsHealth;

  constructor(
    options: NatsTransportOptions,
    private readonly namespace: NatsNamespace,
  ) {
    super(options);
  }

  /** Whether requests can reach the handlers: the listener's connection is up (`NatsHealth`'s rule). */
  get listening(): boolean {
    return this.health?.healthy ?? false;
  }

  override async createNatsClient(): Promise<NatsConnection> {
    const client = (await super.createNatsClient()) as NatsConnection;
    this.health = new NatsHealth(client);
    return client;
  }

  override normalizePattern(pattern: Parameters<ServerNats['normalizePattern']>[0]): string {
    const route = super.normalizePattern(pattern);
    return this.namespace.isNamespaced(route) ? route : this.namespace.subject(route);
  }
}

export class NamespacedNatsClient extends ClientNats {
  constructor(
    options: NatsTransportOptions,
    private readonly namespace: NatsNamespace,
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: Parameters<ClientNats['normalizePattern']>[0]): string {
    const route = super.normalizePattern(pattern);
    return this.namespace.isNamespaced(route) ? route : this.namespace.subject(route);
  }
}
