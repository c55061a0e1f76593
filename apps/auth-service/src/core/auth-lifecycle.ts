import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRelay, StreamWatch } from '@signoff/messaging';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { AuthConfig } from '../config/auth.config';
import { MAIL_RELAY_DATA_SOURCE } from '../mail/mail.providers';
import { MailRelay } from '../mail/mail-relay';
import { StreamRecovery } from '../stream-recovery/stream-recovery';
import { RELAY_DATA_SOURCE } from './core.providers';
import { NATS_CONNECTION } from './tokens';

/**
 * Start and stop in one place, in an order that matters: the SECURITY stream exists (and what it
 * lost is queued again) before the relay publishes; on the way down the relay stops before the
 * connection it publishes on and the database it reads from are closed.
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
    private readonly watch: StreamWatch,
    private readonly recovery: StreamRecovery,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.recovery.listen();
    // Without JetStream yet, sign-outs are still recorded: the watch keeps looking and the relay
    // publishes once the stream is there.
    await this.watch.start().catch((error: unknown) => this.logger.warn(`streams not reachable yet: ${(error as Error).message}`));
    this.relay.start();
    this.logger.log('outbox relay started');
    this.mailRelay.start();
    this.logger.log(this.config.SMTP_URL ? 'mail relay started (SMTP)' : 'mail relay started without SMTP_URL: mail is logged, not sent');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch.stop();
    await this.relay.stop();
    await this.mailRelay.stop();
    if (!this.nc.isClosed()) await this.nc.close();
    for (const dataSource of [this.mailDataSource, this.relayDataSource, this.dataSource]) {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
  }
}
