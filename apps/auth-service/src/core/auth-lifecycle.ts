import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { ensureStream, NatsNamespace, OutboxRelay } from '@signoff/messaging';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { MAIL_RELAY_DATA_SOURCE } from '../mail/mail.providers';
import { MailRelay } from '../mail/mail-relay';
import { RELAY_DATA_SOURCE } from './core.providers';
import { NATS_CONNECTION } from './nats-connection-health';

/**
 * Start and stop in one place, in an order that matters: the SECURITY stream exists before the
 * relay publishes; on the way down the relay stops before the connection it publishes on and
 * the database it reads from are closed.
 *
 * (`startRpcService` runs these hooks before the NATS listener subscribes; the signing key and
 * the dummy hash are still created lazily, which costs nothing and keeps start-up short.)
 */
@Injectable()
export class AuthLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuthLifecycle.name);

  constructor(
    private readonly config: AuthConfig,
    private readonly dataSource: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly relay: OutboxRelay,
    @Inject(RELAY_DATA_SOURCE) private readonly relayDataSource: DataSource,
    private readonly mailRelay: MailRelay,
    @Inject(MAIL_RELAY_DATA_SOURCE) private readonly mailDataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const stream = await ensureStream(await this.nc.jetstreamManager(), new NatsNamespace(this.config.NATS_NAMESPACE), Stream.security, {
      maxAgeMs: this.config.SECURITY_STREAM_MAX_AGE_SECONDS * 1000,
      duplicateWindowMs: 120_000,
    });
    this.relay.start();
    this.logger.log(`outbox relay started, publishing to stream ${stream}`);
    this.mailRelay.start();
    this.logger.log(this.config.SMTP_URL ? 'mail relay started (SMTP)' : 'mail relay started without SMTP_URL: mail is logged, not sent');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.mailRelay.stop();
    if (!this.nc.isClosed()) await this.nc.close();
    for (const dataSource of [this.mailDataSource, this.relayDataSource, this.dataSource]) {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
  }
}
