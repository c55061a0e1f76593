/** Injection tokens for the gateway's connections to the outside world. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const RPC_CLIENT = Symbol('RPC_CLIENT');
export const REDIS = Symbol('REDIS');
export const NATS_NAMESPACE = Symbol('NATS_NAMESPACE');
export const GATEWAY_ID = Symbol('GATEWAY_ID');
