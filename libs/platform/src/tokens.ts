/** Injection tokens of the connections the platform opens (those that are not classes of ours). */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const REDIS = Symbol('REDIS');
export const RPC_CLIENT = Symbol('RPC_CLIENT');
