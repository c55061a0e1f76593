/** Injection token of the service's own NATS connection (JetStream publishing). */
export const NATS_CONNECTION = Symbol('auth-service NATS connection');
