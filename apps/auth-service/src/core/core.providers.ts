import { DynamicModule, Provider } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { EventPublisher, OutboxRelay, OutboxWriter } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';
import { PlatformModule } from '@signoff/platform';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { createAuthDataSource } from '../database/auth-data-source';
import { MAIL_RELAY_DATA_SOURCE } from '../mail/mail.providers';
import { UnitOfWork } from '../outbox/unit-of-work';

export const RELAY_DATA_SOURCE = Symbol('RELAY_DATA_SOURCE');

/**
 * The platform as auth-service runs it: Postgres with two small pools of their own besides the
 * request pool (the event relay's and the mail relay's: under a burst of sign-outs the request
 * pool is full of waiting revocations, and the events and mail of those already committed must
 * not queue behind them), and a JetStream connection apart from the RPC transport's, so
 * publishing events never queues behind (or dies with) request traffic.
 */
export function authPlatform(config: AuthConfig): DynamicModule {
  return PlatformModule.forRoot({
    service: 'auth-service',
    settings: config,
    eventsNatsUrl: config.EVENTS_NATS_URL,
    streams: [Stream.security],
    database: {
      open: (pool) => createAuthDataSource({ url: config.DATABASE_URL, ...pool }),
      extraPools: [
        { token: RELAY_DATA_SOURCE, poolSize: 2, applicationName: 'auth-service-outbox' },
        { token: MAIL_RELAY_DATA_SOURCE, poolSize: 1, applicationName: 'auth-service-mail' },
      ],
    },
  });
}

/** The outbox every feature writes through: the writer, the relay that publishes it, the unit of work. */
export function coreProviders(config: AuthConfig): Provider[] {
  return [
    { provide: AuthConfig, useValue: config },
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
  ];
}
