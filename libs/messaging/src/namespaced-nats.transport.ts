import { ClientNats, NatsOptions, ServerNats } from '@nestjs/microservices';
import { NatsNamespace } from './nats-namespace';

type NatsTransportOptions = Required<NatsOptions>['options'];

/**
 * Nest's NATS transport with every pattern placed under a namespace. Nest normalises a pattern
 * both when it registers a handler and when a message arrives on the (already prefixed)
 * channel, so the prefix is added only once.
 */
export class NamespacedNatsServer extends ServerNats {
  constructor(
    options: NatsTransportOptions,
    private readonly namespace: NatsNamespace,
  ) {
    super(options);
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
