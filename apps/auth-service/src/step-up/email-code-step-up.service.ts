import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  EMAIL_CODE_POLICY,
  EmailCodeStepUpRequest,
  SendStepUpEmailCodeReply,
  SendStepUpEmailCodeRequest,
  SignoffError,
  StepUpReply,
} from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { AccountStore } from '../accounts/account.store';
import { MailOutbox } from '../mail/mail-outbox';
import { MailRelay } from '../mail/mail-relay';
import { SessionStore } from '../sessions/session.store';
import { StepUpService } from './step-up.service';

export const EMAIL_CODE_SUBJECT = 'Your Signoff verification code';

/** What a check of a presented code came to; only `accepted` carries a reauth token. */
type CodeCheck = { outcome: 'accepted'; reply: StepUpReply } | { outcome: 'wrong'; attemptsLeft: number } | { outcome: 'none' };

/**
 * Step-up by a code mailed to the account, for holders who signed in on a device that never saw
 * their password (a TV paired by code) or who would rather not type it. The code buys the same
 * reauth token a password re-entry does.
 *
 * Send: a new code for this session replaces its earlier unused ones and its mail is queued in
 * the same transaction. Check, one transaction with the code row locked: a try is counted and
 * committed whether it is right or not, so parallel guesses cannot exceed `maxAttempts`; the
 * fifth wrong try uses the code up. The code is stored as SHA-256 over its row id and the digits:
 * never in clear; a keyed hash would add little to a secret that lives ten minutes, is bound to
 * one session and allows five tries.
 */
@Injectable()
export class EmailCodeStepUpService {
  private readonly logger = new Logger(EmailCodeStepUpService.name);

  constructor(
    private readonly tx: TransactionContext,
    private readonly sessions: SessionStore,
    private readonly accounts: AccountStore,
    private readonly stepUps: StepUpService,
    private readonly mail: MailOutbox,
    private readonly mailRelay: MailRelay,
  ) {}

  async send(request: SendStepUpEmailCodeRequest): Promise<SendStepUpEmailCodeReply> {
    const code = newEmailCode();
    const id = randomUUID();
    const email = await this.tx.run(async () => {
      const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      const account = await this.accounts.findById(session.accountId);
      if (!account) throw new SignoffError('SESSION_REVOKED', 'this session has ended');
      await this.tx.manager.query(`UPDATE auth.step_up_email_codes SET used_at = now() WHERE session_id = $1 AND used_at IS NULL`, [session.id]);
      await this.tx.manager.query(
        `INSERT INTO auth.step_up_email_codes (id, account_id, session_id, code_hash, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [id, session.accountId, session.id, hashEmailCode(id, code), EMAIL_CODE_POLICY.ttlSeconds],
      );
      await this.mail.add({ to: account.email, subject: EMAIL_CODE_SUBJECT, text: mailText(code) });
      return account.email;
    });
    this.mailRelay.kick();
    this.logger.log(`step-up code mailed accountId=${request.accountId} sessionId=${request.sessionId}`);
    return { sentTo: maskEmail(email), expiresIn: EMAIL_CODE_POLICY.ttlSeconds };
  }

  async stepUp(request: EmailCodeStepUpRequest): Promise<StepUpReply> {
    const presented = request.emailCode.replace(/\s+/g, '');
    const check = await this.tx.run(async (): Promise<CodeCheck> => {
      const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      const rows = (await this.tx.manager.query(
        `SELECT id, code_hash, attempts FROM auth.step_up_email_codes
          WHERE session_id = $1 AND account_id = $2 AND used_at IS NULL AND expires_at > now()
          ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
        [session.id, session.accountId],
      )) as Array<{ id: string; code_hash: string; attempts: number }>;
      if (rows.length === 0) return { outcome: 'none' };
      const row = rows[0];
      const attempts = row.attempts + 1;
      if (sameHash(row.code_hash, hashEmailCode(row.id, presented))) {
        await this.tx.manager.query(`UPDATE auth.step_up_email_codes SET attempts = $2, used_at = now() WHERE id = $1`, [row.id, attempts]);
        return { outcome: 'accepted', reply: await this.stepUps.issue(session.accountId, session.id) };
      }
      const exhausted = attempts >= EMAIL_CODE_POLICY.maxAttempts;
      await this.tx.manager.query(`UPDATE auth.step_up_email_codes SET attempts = $2, used_at = CASE WHEN $3 THEN now() ELSE used_at END WHERE id = $1`, [
        row.id,
        attempts,
        exhausted,
      ]);
      return { outcome: 'wrong', attemptsLeft: EMAIL_CODE_POLICY.maxAttempts - attempts };
    });
    if (check.outcome === 'accepted') return check.reply;
    this.logger.warn(`step-up by emailed code refused (${check.outcome}) accountId=${request.accountId} sessionId=${request.sessionId}`);
    if (check.outcome === 'none' || check.attemptsLeft === 0) {
      throw new SignoffError('STEP_UP_FAILED', 'no code is waiting for this device, or it expired or had too many tries; ask for a new one', {
        attemptsLeft: 0,
      });
    }
    throw new SignoffError('STEP_UP_FAILED', 'the code is not correct', { attemptsLeft: check.attemptsLeft });
  }
}

/** Six digits, uniform (no modulo bias), leading zeros kept. */
function newEmailCode(): string {
  return randomInt(0, 10 ** EMAIL_CODE_POLICY.digits)
    .toString()
    .padStart(EMAIL_CODE_POLICY.digits, '0');
}

function hashEmailCode(id: string, code: string): string {
  return createHash('sha256').update(`${id}:${code}`, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** `jane@example.com` → `j•••@example.com`: enough for the holder to recognise, little to anyone else. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

function mailText(code: string): string {
  const minutes = Math.round(EMAIL_CODE_POLICY.ttlSeconds / 60);
  return [
    'Your Signoff verification code is:',
    '',
    `    ${code}`,
    '',
    `Enter it within ${minutes} minutes on the device that asked for it. It confirms an`,
    'account-wide action: signing out of all devices, changing the password or two-factor sign-in.',
    '',
    'If you did not ask for it, someone signed in to your account may be trying to take it over:',
    'change your password and sign out of all devices.',
    '',
  ].join('\n');
}
