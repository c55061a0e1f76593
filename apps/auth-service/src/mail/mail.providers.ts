import { Provider } from '@nestjs/common';
import { TransactionContext } from '@signoff/persistence';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { MailOutbox } from './mail-outbox';
import { MailRelay } from './mail-relay';
import { mailTransportFor } from './mail-transport';

export const MAIL_RELAY_DATA_SOURCE = Symbol('MAIL_RELAY_DATA_SOURCE');

/**
 * The mail outbox and its relay. The relay reads through a one-connection pool of its own (opened
 * by the platform, see `authPlatform`): mail must not queue behind request traffic, and request
 * traffic not behind mail. Started and stopped by `AuthLifecycle`.
 */
export function mailProviders(config: AuthConfig): Provider[] {
  return [
    { provide: MailOutbox, useFactory: (tx: TransactionContext) => new MailOutbox(tx), inject: [TransactionContext] },
    {
      provide: MailRelay,
      useFactory: (dataSource: DataSource) =>
        new MailRelay(dataSource, mailTransportFor(config.SMTP_URL), {
          from: config.MAIL_FROM,
          pollIntervalMs: config.MAIL_POLL_MS,
          batchSize: 20,
          maxAttempts: config.MAIL_MAX_ATTEMPTS,
          retryBaseMs: config.MAIL_RETRY_BASE_MS,
          maxBackoffMs: 3_600_000,
          leaseMs: 120_000,
        }),
      inject: [MAIL_RELAY_DATA_SOURCE],
    },
  ];
}
