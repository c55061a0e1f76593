import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { CreateAccountReply, CreateAccountRequest, GetMeRequest, MeReply, SignoffError } from '@signoff/contracts';
import { PasswordHasher } from '../credentials/password-hasher';
import { isUniqueViolation } from '../database/postgres-errors';
import { UnitOfWork } from '../outbox/unit-of-work';
import { SessionStore } from '../sessions/session.store';
import { AccountStore } from './account.store';
import { normalizeEmail } from './email';

const DEFAULT_PROFILE_NAME = 'Main';

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * Creates an account with one grown-up profile. The password is hashed before the email is
   * checked, so a taken address costs the same time as a free one; the unique constraint,
   * not a prior look-up, decides (two sign-ups racing for one address cannot both win).
   */
  async create(request: CreateAccountRequest): Promise<CreateAccountReply> {
    const passwordHash = await this.hasher.hash(request.password);
    const accountId = randomUUID();
    const now = new Date();
    try {
      await this.uow.run(() =>
        this.accounts.insert(
          { id: accountId, email: normalizeEmail(request.email), passwordHash, plan: request.plan ?? 'basic', epoch: 1, createdAt: now },
          [{ id: randomUUID(), accountId, name: DEFAULT_PROFILE_NAME, kids: false, createdAt: now }],
        ),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'accounts_email_key')) throw new SignoffError('ACCOUNT_EXISTS', 'an account with this email already exists');
      throw error;
    }
    this.logger.log(`account created accountId=${accountId}`);
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
