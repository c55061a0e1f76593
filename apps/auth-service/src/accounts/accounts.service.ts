import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { CreateAccountReply, CreateAccountRequest, GetMeRequest, MeReply, SignoffError } from '@signoff/contracts';
import { AuthConfig } from '../config/auth.config';
import { PasswordHasher } from '../credentials/password-hasher';
import { MailOutbox } from '../mail/mail-outbox';
import { MailRelay } from '../mail/mail-relay';
import { UnitOfWork } from '../outbox/unit-of-work';
import { SessionStore } from '../sessions/session.store';
import { AccountStore } from './account.store';
import { normalizeEmail } from './email';
import { alreadyRegisteredMail, welcomeMail } from './sign-up-mails';

const DEFAULT_PROFILE_NAME = 'Main';

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly config: AuthConfig,
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly hasher: PasswordHasher,
    private readonly mail: MailOutbox,
    private readonly mailRelay: MailRelay,
  ) {}

  /**
   * Creates an account with one grown-up profile, without telling the caller whether the email
   * was free (SECURITY promise 5: not by status, body or time). Both paths hash the password,
   * run one INSERT, queue one mail and answer `{accountId}`: a free address gets the new
   * account and a welcome mail; a taken one gets an id no account has and its owner a mail
   * saying someone tried (sign in, or reset the password), at most one such mail every
   * `SIGN_UP_NOTICE_INTERVAL_SECONDS`, so nobody can flood a holder's mailbox by signing up with
   * their address. The caller learns which only by reading that mailbox.
   */
  async create(request: CreateAccountRequest): Promise<CreateAccountReply> {
    // Picking a plan at sign-up is for development (the stack and the tests); in a real
    // deployment billing sets it, or anyone could sign up to premium for nothing.
    if (request.plan !== undefined && this.config.SIGNOFF_ENV !== 'development') {
      throw new SignoffError('VALIDATION_FAILED', 'the plan is not chosen at sign-up: every account starts on basic', { fields: ['plan'] });
    }
    const passwordHash = await this.hasher.hash(request.password);
    const accountId = randomUUID();
    const email = normalizeEmail(request.email);
    const now = new Date();
    const created = await this.uow.run(async () => {
      const inserted = await this.accounts.insertIfEmailFree(
        { id: accountId, email, passwordHash, plan: request.plan ?? 'basic', epoch: 1, createdAt: now },
        { id: randomUUID(), accountId, name: DEFAULT_PROFILE_NAME, kids: false, createdAt: now },
      );
      // Both paths run the same statement; only the notice to a taken address is ever skipped.
      const mail = inserted ? welcomeMail(email, this.config.mailLinkBase) : alreadyRegisteredMail(email, this.config.mailLinkBase);
      await this.mail.addAtMostEvery(this.config.SIGN_UP_NOTICE_INTERVAL_SECONDS, mail);
      return inserted;
    });
    this.mailRelay.kick();
    if (created) this.logger.log(`account created accountId=${accountId}`);
    else this.logger.log('sign-up for an address that has an account: its owner was mailed');
    return { accountId };
  }

  async me(request: GetMeRequest): Promise<MeReply> {
    const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
    const account = await this.accounts.findById(request.accountId);
    if (!account) throw new SignoffError('ACCOUNT_NOT_FOUND', 'the account no longer exists');
    const profiles = await this.accounts.profilesOf(account.id);
    return {
      account: { accountId: account.id, email: account.email, plan: account.plan, createdAt: account.createdAt.toISOString() },
      profiles: profiles.map((p) => ({ profileId: p.id, name: p.name, kids: p.kids })),
      session: {
        sessionId: session.id,
        deviceId: session.deviceId,
        ...(session.profileId ? { profileId: session.profileId } : {}),
        createdAt: session.createdAt.toISOString(),
      },
    };
  }
}
