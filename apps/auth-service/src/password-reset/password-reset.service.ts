import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  ConfirmPasswordResetReply,
  ConfirmPasswordResetRequest,
  EventSubject,
  SignoffError,
} from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { Account } from '../accounts/account.entity';
import { AccountStore } from '../accounts/account.store';
import { AuthConfig } from '../config/auth.config';
import { PasswordHasher } from '../credentials/password-hasher';
import { MailOutbox } from '../mail/mail-outbox';
import { UnitOfWork } from '../outbox/unit-of-work';
import { RevocationsService } from '../revocations/revocations.service';
import { ReauthToken } from '../step-up/reauth-token.entity';

/** Recognisable in logs and by secret scanners, like `rt_` and `ra_`. */
export const PASSWORD_RESET_TOKEN_PREFIX = 'pr_';

function newResetToken(): string {
  return PASSWORD_RESET_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function invalidToken(): SignoffError {
  return new SignoffError('RESET_TOKEN_INVALID', 'this reset link is not valid any more; ask for a new one');
}

/**
 * Forgot password (DESIGN: request always 202, confirm signs out all devices).
 *
 * Request: queued in one INSERT and answered `{}` at once, whatever the email (SECURITY promise
 * 5). Then, apart from the reply (`PasswordResetRequests`): for a known email a single-use token
 * (256 bits, stored as SHA-256, expiring after `PASSWORD_RESET_TTL_SECONDS`) replaces the
 * account's earlier unused ones and a mail with the link is queued in the same transaction; an
 * unknown email gets nothing. The mail leaves later through the mail relay.
 *
 * Confirm, one unit of work: token found, unused, unexpired (else `RESET_TOKEN_INVALID`, one
 * answer for every case) → marked used, new argon2id hash, epoch bumped and every session
 * revoked (reason `password_reset`, `security.account.epoch_bumped.v1`), outstanding reauth and
 * reset tokens used up, `security.password.changed.v1` (`via: 'reset'`).
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);

  constructor(
    private readonly config: AuthConfig,
    private readonly uow: UnitOfWork,
    private readonly tx: TransactionContext,
    private readonly accounts: AccountStore,
    private readonly hasher: PasswordHasher,
    private readonly revocations: RevocationsService,
    private readonly mail: MailOutbox,
  ) {}

  /**
   * A reset link for `email`, inside the caller's transaction (`PasswordResetRequests`, or the
   * "this wasn't me" link): for a known email a new token replaces
   * the account's unused ones and the mail is queued; an unknown email gets nothing.
   * @returns whether a mail was queued.
   */
  async issue(email: string): Promise<boolean> {
    const account = await this.accounts.findByEmail(email);
    if (!account) return false;
    await this.invalidateUnused(account.id);
    const token = newResetToken();
    const expiresAt = new Date(Date.now() + this.config.PASSWORD_RESET_TTL_SECONDS * 1000);
    await this.tx.manager.query(`INSERT INTO auth.password_reset_tokens (token_hash, account_id, expires_at) VALUES ($1, $2, $3)`, [
      hashResetToken(token),
      account.id,
      expiresAt,
    ]);
    await this.mail.add({ to: account.email, subject: 'Reset your Signoff password', text: this.mailText(token) });
    this.logger.log(`password reset requested accountId=${account.id}`);
    return true;
  }

  async confirm(request: ConfirmPasswordResetRequest): Promise<ConfirmPasswordResetReply> {
    if (!request.token.startsWith(PASSWORD_RESET_TOKEN_PREFIX)) throw invalidToken();
    const tokenHash = hashResetToken(request.token);
    return this.uow.run(async () => {
      const rows = (await this.tx.manager.query(
        `SELECT account_id FROM auth.password_reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE`,
        [tokenHash],
      )) as Array<{ account_id: string }>;
      if (rows.length === 0) throw invalidToken();
      const accountId = rows[0].account_id;
      // Lock order as everywhere in the service: the account row first (the epoch bump takes it).
      const account = await this.accounts.lockById(accountId);
      if (!account) throw invalidToken();
      const now = new Date();
      await this.tx.manager.query(`UPDATE auth.password_reset_tokens SET used_at = $2 WHERE token_hash = $1`, [tokenHash, now]);
      await this.invalidateUnused(accountId);
      await this.tx.repo(Account).update({ id: accountId }, { passwordHash: await this.hasher.hash(request.newPassword) });
      await this.tx
        .repo(ReauthToken)
        .createQueryBuilder()
        .update()
        .set({ usedAt: now })
        .where('account_id = :accountId AND used_at IS NULL', { accountId })
        .execute();
      const epoch = await this.accounts.bumpEpoch(accountId);
      if (epoch === undefined) throw invalidToken();
      const revocation = await this.revocations.revokeAccountSessions({ accountId, epoch, reason: 'password_reset', requestedBySessionId: null });
      await this.uow.emit(EventSubject.passwordChanged, {
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        accountId,
        signedOutOtherDevices: true,
        via: 'reset',
      });
      this.logger.log(`password reset accountId=${accountId} revocationId=${revocation.id}`);
      return { revocationId: revocation.id };
    });
  }

  /** Marks the account's unused reset tokens used: a new request or a reset supersedes them. */
  private async invalidateUnused(accountId: string): Promise<void> {
    await this.tx.manager.query(`UPDATE auth.password_reset_tokens SET used_at = now() WHERE account_id = $1 AND used_at IS NULL`, [accountId]);
  }

  private mailText(token: string): string {
    const link = `${this.config.mailLinkBase}/account/reset?token=${encodeURIComponent(token)}`;
    const minutes = Math.round(this.config.PASSWORD_RESET_TTL_SECONDS / 60);
    return [
      'Someone asked to reset the password of your Signoff account.',
      '',
      `To choose a new password, open this link within ${minutes} minutes:`,
      '',
      link,
      '',
      'The link works once. Resetting your password signs you out on every device.',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
      '',
    ].join('\n');
  }
}
