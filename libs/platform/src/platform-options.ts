import { StreamDefinition } from '@signoff/contracts';
import { DataSource } from 'typeorm';

/** The deployment settings the platform reads; every service's config (`CommonConfig`) has them. */
export interface PlatformSettings {
  NATS_URL: string;
  NATS_NAMESPACE: string;
  NATS_STREAM_REPLICAS: number;
  STREAM_CHECK_INTERVAL_MS: number;
  DATABASE_POOL_SIZE: number;
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
  REDIS_COMMAND_TIMEOUT_MS: number;
  RPC_TIMEOUT_MS: number;
}

/** One pool of Postgres connections: how many, and the name Postgres shows for them. */
export interface PoolSettings {
  poolSize: number;
  applicationName: string;
}

/** A pool besides the main one, under its own injection token (a relay that must not queue behind requests). */
export interface ExtraPool extends PoolSettings {
  token: symbol;
}

export interface PlatformOptions {
  /** The service (`auth-service`): names its connections in NATS and Postgres. */
  service: string;
  /** This replica, when the service tells replicas apart (the gateway's id). */
  instance?: string;
  settings: PlatformSettings;
  /** The broker for JetStream when it is not `NATS_URL` (auth-service's `EVENTS_NATS_URL`). */
  eventsNatsUrl?: string;
  /** The streams this service publishes to or reads: kept in existence and watched (`StreamWatch`). */
  streams: readonly StreamDefinition[];
  /** Postgres: `open` makes an uninitialised DataSource for the service's schema. */
  database?: { open(pool: PoolSettings): DataSource; extraPools?: readonly ExtraPool[] };
  /** Redis for live state. Never required for readiness: the services work without it, in a lesser way. */
  redis?: boolean;
  /** A request/reply client for calling the other services. */
  rpcClient?: boolean;
}
