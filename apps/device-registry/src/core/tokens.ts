/** Injection tokens for resources that are not classes of ours. */
export const REDIS = Symbol('REDIS');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
