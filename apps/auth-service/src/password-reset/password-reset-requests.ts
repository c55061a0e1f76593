import { Injectable, Logger } from '@nestjs/common';
import { RequestPasswordResetReply, RequestPasswordResetRequest } from '@signoff/contracts';
import { DrainLoop } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';
import { normalizeEmail } from '../accounts/email';
import { AuthConfig } from '../config/auth.config';
import { MailRelay } from '../mail/mail-relay';
import { UnitOfWork } from '../outbox/unit-of-work';
import { PasswordResetService } from './password-reset.service';

/** Requests worked through in one transaction. */
const BATCH = 50;

/**
 * "Forgot password" requests, answered before anything depends on the email (SECURITY promise
 * 5): a request is one INSERT into `auth.password_reset_requests`, the same statement for every
 * email, and the reply goes out. This loop then takes queued requests in batches (`FOR UPDATE
 * SKIP LOCKED`, so replicas share them), issues a token and queues the mail for those with an
 * account, and deletes them, in one transaction: a crash leaves them queued, never half done.
 * Commits kick it; it also polls every `MAIL_POLL_MS`. Started and stopped by `AuthLifecycle`.
 */
@Injectable()
export class PasswordResetRequests {
  private readonly logger = new Logger(PasswordResetRequests.name);
  private readonly loop: DrainLoop;

  constructor(
    config: AuthConfig,
    private readonly tx: TransactionContext,
    private readonly uow: UnitOfWork,
    private readonly resets: PasswordResetService,
    private readonly mailRelay: MailRelay,
  ) {
    this.loop = new DrainLoop(() => this.drain(), config.MAIL_POLL_MS);
  }

  async enqueue(request: RequestPasswordResetRequest): Promise<RequestPasswordResetReply> {
    await this.tx.manager.query(`INSERT INTO auth.password_reset_requests (email) VALUES ($1)`, [normalizeEmail(request.email)]);
    this.loop.kick();
    return {};
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.loop.isStopped) break;
        const { taken, mailed } = await this.uow.run(async () => {
          const [rows] = (await this.tx.manager.query(
            `DELETE FROM auth.password_reset_requests
              WHERE id IN (SELECT id FROM auth.password_reset_requests ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING email`,
            [BATCH],
          )) as [Array<{ email: string }>, number];
          let queued = 0;
          for (const { email } of rows) if (await this.resets.issue(email)) queued++;
          return { taken: rows.length, mailed: queued };
        });
        if (mailed > 0) this.mailRelay.kick();
        if (taken < BATCH) break;
      }
    } catch (error) {
      // The database is away: the requests wait in their table; the next poll tries again.
      this.logger.warn(`password reset requests waiting: ${(error as Error).message}`);
    }
  }
}
