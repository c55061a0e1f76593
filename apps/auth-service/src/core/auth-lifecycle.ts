import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OutboxRelay } from '@signoff/messaging';
import { AuthConfig } from '../config/auth.config';
import { MailRelay } from '../mail/mail-relay';
import { PasswordResetRequests } from '../password-reset/password-reset-requests';
import { StreamRecovery } from '../stream-recovery/stream-recovery';

/**
 * Starts and stops the relays. The platform has created the streams (or keeps trying while
 * JetStream is away: sign-outs are still recorded, and the relay publishes once the stream is
 * there); what the stream lost is queued again as the watch reports it. The relays stop before
 * the platform closes the connection they publish on and the pools they read from.
 *
 * (`startRpcService` runs these hooks before the NATS listener subscribes; the signing key and
 * the dummy hash are still created lazily, which costs nothing and keeps start-up short.)
 */
@Injectable()
export class AuthLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuthLifecycle.name);

  constructor(
    private readonly config: AuthConfig,
    private readonly relay: OutboxRelay,
    private readonly mailRelay: MailRelay,
    private readonly recovery: StreamRecovery,
    private readonly resetRequests: PasswordResetRequests,
  ) {}

  onApplicationBootstrap(): void {
    this.recovery.listen();
    this.relay.start();
    this.logger.log('outbox relay started');
    this.resetRequests.start();
    this.mailRelay.start();
    this.logger.log(this.config.SMTP_URL ? 'mail relay started (SMTP)' : 'mail relay started without SMTP_URL: mail is logged, not sent');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.resetRequests.stop();
    await this.mailRelay.stop();
  }
}
