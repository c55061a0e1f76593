import { Provider } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { connectNats, EventPublisher, NatsHealth, NatsNamespace, OutboxRelay, OutboxWriter, StreamWatch, streamWatchFor } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';
import { Readiness } from '@signoff/service-kit';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { createAuthDataSource } from '../database/auth-data-source';
import { UnitOfWork } from '../outbox/unit-of-work';
import { NATS_CONNECTION } from './tokens';

export const RELAY_DATA_SOURCE = Symbol('RELAY_DATA_SOURCE');

/**
 * The plumbing every feature leans on: config, the one DataSource, the ambient transaction,
 * the JetStream connection, the outbox relay and readiness. Resources are opened here and
 * closed by `AuthLifecycle` on shutdown.
 */
export function coreProviders(config: AuthConfig): Provider[] {
  return [
    { provide: AuthConfig, useValue: config },
    {
      provide: DataSource,
      useFactory: async (): Promise<DataSource> => {
        const dataSource = createAuthDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
        await dataSource.initialize();
        return dataSource;
      },
    },
    { provide: TransactionContext, useFactory: (dataSource: DataSource) => new TransactionContext(dataSource), inject: [DataSource] },
    // A connection of its own for JetStream, apart from the RPC transport's: publishing
    // events must not queue behind (or die with) request traffic.
    { provide: NATS_CONNECTION, useFactory: () => connectNats(config.EVENTS_NATS_URL || config.NATS_URL, 'auth-service-events') },
    { provide: NatsHealth, useFactory: (nc: NatsConnection) => new NatsHealth(nc), inject: [NATS_CONNECTION] },
    {
      // Started by AuthLifecycle, once StreamRecovery listens.
      provide: StreamWatch,
      inject: [NATS_CONNECTION, NatsHealth],
      useFactory: (nc: NatsConnection, health: NatsHealth) => streamWatchFor(nc, health, config, [Stream.security]),
    },
    {
      provide: EventPublisher,
      useFactory: (nc: NatsConnection) => new EventPublisher(nc.jetstream(), new NatsNamespace(config.NATS_NAMESPACE)),
      inject: [NATS_CONNECTION],
    },
    // The relay reads the outbox through a small pool of its own: under a burst of sign-outs the
    // request pool is full of waiting revocations, and the events of those already committed
    // must not queue behind them.
    {
      provide: RELAY_DATA_SOURCE,
      useFactory: async (): Promise<DataSource> => {
        const dataSource = createAuthDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'auth-service-outbox' });
        await dataSource.initialize();
        return dataSource;
      },
    },
    {
      provide: OutboxRelay,
      useFactory: (dataSource: DataSource, publisher: EventPublisher) =>
        new OutboxRelay(dataSource, publisher, { pollIntervalMs: config.OUTBOX_POLL_MS, batchSize: 100 }),
      inject: [RELAY_DATA_SOURCE, EventPublisher],
    },
    { provide: OutboxWriter, useFactory: (tx: TransactionContext) => new OutboxWriter(tx), inject: [TransactionContext] },
    {
      provide: UnitOfWork,
      useFactory: (tx: TransactionContext, writer: OutboxWriter, relay: OutboxRelay) => new UnitOfWork(tx, writer, relay),
      inject: [TransactionContext, OutboxWriter, OutboxRelay],
    },
    {
      provide: Readiness,
      useFactory: (dataSource: DataSource, nats: NatsHealth) => {
        const readiness = new Readiness();
        readiness.register({ name: 'postgres', check: async () => (await dataSource.query('SELECT 1 AS ok')).length === 1 });
        readiness.register({ name: 'nats', check: () => nats.healthy });
        return readiness;
      },
      inject: [DataSource, NatsHealth],
    },
  ];
}
