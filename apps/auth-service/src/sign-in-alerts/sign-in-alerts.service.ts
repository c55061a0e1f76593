import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DeviceDescriptor, DeviceType, NotMeReply, NotMeRequest, SignoffError } from '@signoff/contracts';
import { describeLocation, GeoIpLocator } from '@signoff/geoip';
import { TransactionContext } from '@signoff/persistence';
import { AccountStore } from '../accounts/account.store';
import { AuthConfig } from '../config/auth.config';
import { MailOutbox } from '../mail/mail-outbox';
import { MailRelay } from '../mail/mail-relay';
import { UnitOfWork } from '../outbox/unit-of-work';
import { PasswordResetService } from '../password-reset/password-reset.service';
import { RevocationsService } from '../revocations/revocations.service';
import { SessionStore } from '../sessions/session.store';
import { maskEmail } from '../step-up/email-code-step-up.service';

/** Recognisable in logs and by secret scanners, like `rt_`, `ra_` and `pr_`. */
export const NOT_ME_TOKEN_PREFIX = 'nm_';

export interface SignInToAlert {
  accountId: string;
  email: string;
  sessionId: string;
  device: DeviceDescriptor;
  at: Date;
  ip?: string;
}

function hashNotMeToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function invalidToken(): SignoffError {
  return new SignoffError('NOT_ME_TOKEN_INVALID', 'this link is not valid any more; sign in and review your devices, or reset your password');
}

/**
 * Sign-in alerts (issue: "an email naming the device, its approximate place and the time, with a
 * 'this wasn't me' link that signs that device out and starts a password reset").
 *
 * `queue`, called by the sign-in in its own transaction: a single-use token (256 bits, stored as
 * SHA-256, bound to the account and the new session, expiring after `NOT_ME_TOKEN_TTL_SECONDS`)
 * and the alert mail go into the same commit as the session; a failed sign-in mails nothing.
 *
 * `notMe`, one unit of work: token found, unused, unexpired (else `NOT_ME_TOKEN_INVALID`, one
 * answer for every case) → marked used; the session it names is revoked (reason
 * `sign_out_device`, scope `device`, `security.session.revoked.v1`, which gateways fan out) if it
 * is still live; and a password-reset mail is queued by `PasswordResetService.issue`, exactly
 * as a reset request would. Answers `{revocationId}` (the session's revocation, also when it had
 * been revoked meanwhile by something else), with what the alert said of the sign-in (`signIn`:
 * device, time, place and address, kept with the token) and where the reset link went, masked
 * (`resetMailedTo`), for the page the link opens.
 *
 * Place: the GeoIP data's city, region and country of the sign-in's address ("near Mountain View,
 * California, US"), with the address; "unknown location" when there is none or it cannot be placed.
 */
@Injectable()
export class SignInAlertsService {
  private readonly logger = new Logger(SignInAlertsService.name);

  constructor(
    private readonly config: AuthConfig,
    private readonly uow: UnitOfWork,
    private readonly tx: TransactionContext,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly revocations: RevocationsService,
    private readonly resets: PasswordResetService,
    private readonly mail: MailOutbox,
    private readonly mailRelay: MailRelay,
    private readonly geoIp: GeoIpLocator,
  ) {}

  /** Queues the alert in the running transaction; true if a mail was queued (kick the relay after the commit). */
  async queue(signIn: SignInToAlert): Promise<boolean> {
    if (!this.config.SIGN_IN_ALERTS) return false;
    const token = NOT_ME_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(signIn.at.getTime() + this.config.NOT_ME_TOKEN_TTL_SECONDS * 1000);
    // The device's name and OS and the address go with the token: the page the link opens shows them again.
    await this.tx.manager.query(
      `INSERT INTO auth.not_me_tokens (token_hash, account_id, session_id, expires_at, device_name, device_os, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hashNotMeToken(token), signIn.accountId, signIn.sessionId, expiresAt, signIn.device.name, signIn.device.os ?? null, signIn.ip ?? null],
    );
    await this.mail.add({ to: signIn.email, subject: `New sign-in to Signoff: ${oneLine(signIn.device.name)}`, text: this.alertText(signIn, token) });
    return true;
  }

  /** After the sign-in committed. */
  kick(): void {
    this.mailRelay.kick();
  }

  async notMe(request: NotMeRequest): Promise<NotMeReply> {
    if (!request.token.startsWith(NOT_ME_TOKEN_PREFIX)) throw invalidToken();
    const tokenHash = hashNotMeToken(request.token);
    const reply = await this.uow.run(async () => {
      const rows = (await this.tx.manager.query(
        `SELECT account_id, session_id, device_name, device_os, ip FROM auth.not_me_tokens
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE`,
        [tokenHash],
      )) as Array<{ account_id: string; session_id: string; device_name: string | null; device_os: string | null; ip: string | null }>;
      if (rows.length === 0) throw invalidToken();
      const { account_id: accountId, session_id: sessionId, device_name: deviceName, device_os: deviceOs, ip } = rows[0];
      const account = await this.accounts.findById(accountId);
      const session = await this.sessions.lockById(sessionId);
      if (!account || !session || session.accountId !== accountId) throw invalidToken();
      await this.tx.manager.query(`UPDATE auth.not_me_tokens SET used_at = now() WHERE token_hash = $1`, [tokenHash]);
      let revocationId = session.revocationId;
      if (!session.revokedAt || !revocationId) {
        const revocation = await this.revocations.revokeSessions({
          accountId,
          sessions: [session],
          scope: 'device',
          reason: 'sign_out_device',
          requestedBySessionId: null,
        });
        revocationId = revocation.id;
      }
      // Exactly what "forgot password" does: a fresh single-use reset link, mailed in this commit.
      await this.resets.issue(account.email);
      this.logger.warn(`sign-in reported as not me accountId=${accountId} sessionId=${sessionId} revocationId=${revocationId}`);
      return {
        revocationId,
        signIn: {
          at: session.createdAt.toISOString(),
          device: { type: session.deviceType as DeviceType, name: deviceName, os: deviceOs },
          location: this.geoIp.locate(ip),
          ip,
        },
        resetMailedTo: maskEmail(account.email),
      };
    });
    this.mailRelay.kick();
    return reply;
  }

  /** The place the address is in, as the GeoIP data has it (approximate), and the address itself. */
  private place(ip: string | undefined): string {
    if (!ip) return 'unknown location';
    const where = describeLocation(this.geoIp.locate(ip));
    return where ? `near ${where} (approximate, address ${ip})` : `unknown location (address ${ip})`;
  }

  private alertText(signIn: SignInToAlert, token: string): string {
    const link = `${this.config.mailLinkBase}/account/not-me?token=${encodeURIComponent(token)}`;
    const device = signIn.device;
    const days = Math.round(this.config.NOT_ME_TOKEN_TTL_SECONDS / 86_400);
    return [
      'Your Signoff account was just signed in to on a device.',
      '',
      `Device: ${oneLine(device.name)} (${device.type}${device.os ? `, ${oneLine(device.os)}` : ''})`,
      `When: ${humanUtc(signIn.at)} (${signIn.at.toISOString()})`,
      `Where: ${this.place(signIn.ip)}`,
      '',
      'If this was you, there is nothing to do.',
      '',
      `If it was not you, open this link within ${days} days. It signs that device out and mails you a link to choose a new password:`,
      '',
      link,
      '',
    ].join('\n');
  }
}

/** A device name is the device's own text: one line, no control characters, in a mail. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** "Saturday, 21 November 2026, 14:35 UTC". */
function humanUtc(at: Date): string {
  return `${new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' }).format(at)} UTC`;
}
