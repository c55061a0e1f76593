import { Injectable, Logger } from '@nestjs/common';
import { SignoffError, StepUpReply, StepUpRequest, TOKEN_POLICY } from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { AccountStore } from '../accounts/account.store';
import { PasswordHasher } from '../credentials/password-hasher';
import { SessionStore } from '../sessions/session.store';
import { hashOpaqueToken, newOpaqueToken, REAUTH_TOKEN_PREFIX } from '../tokens/opaque-token';
import { TwoFactorStore } from '../two-factor/two-factor.store';
import { ReauthToken } from './reauth-token.entity';

/**
 * Step-up: a fresh proof of presence buys a reauth token that account-wide actions consume
 * (ASVS 7.5.1/7.5.2). It is bound to this account and this session, lives five minutes and
 * works once. The password is a proof only on accounts without two-step verification: with it,
 * a stolen session and the password would change the password and sign the owner out, which
 * sign-in itself would not allow; those accounts step up with the authenticator code or a code
 * mailed to them.
 */
@Injectable()
export class StepUpService {
  private readonly logger = new Logger(StepUpService.name);

  constructor(
    private readonly tx: TransactionContext,
    private readonly sessions: SessionStore,
    private readonly accounts: AccountStore,
    private readonly hasher: PasswordHasher,
    private readonly twoFactor: TwoFactorStore,
  ) {}

  async stepUp(request: StepUpRequest): Promise<StepUpReply> {
    const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
    // Before the password is looked at: the answer must not tell whether it was right.
    if ((await this.twoFactor.find(session.accountId, { lock: false }))?.confirmedAt) {
      throw new SignoffError('SECOND_FACTOR_REQUIRED', 'this account uses two-step verification: confirm with the code from your authenticator app, or a code we email you');
    }
    const account = await this.accounts.findById(session.accountId);
    if (!account || !(await this.hasher.verify(account.passwordHash, request.password))) {
      this.logger.warn(`step-up refused accountId=${request.accountId} sessionId=${request.sessionId}`);
      throw new SignoffError('STEP_UP_FAILED', 'the password is not correct');
    }
    return this.issue(session.accountId, session.id);
  }

  /**
   * The reauth token any proof of presence buys (password, authenticator code): bound to this
   * account and this session, five minutes, single use; only its hash is stored.
   */
  async issue(accountId: string, sessionId: string): Promise<StepUpReply> {
    const reauthToken = newOpaqueToken(REAUTH_TOKEN_PREFIX);
    await this.tx.repo(ReauthToken).insert({
      tokenHash: hashOpaqueToken(reauthToken),
      accountId,
      sessionId,
      expiresAt: new Date(Date.now() + TOKEN_POLICY.reauthTtlSeconds * 1000),
      usedAt: null,
    });
    return { reauthToken, expiresIn: TOKEN_POLICY.reauthTtlSeconds };
  }

  /**
   * Uses up a reauth token in the caller's transaction. One conditional UPDATE: it must exist,
   * belong to this account and this session, be unused and unexpired. False otherwise; a
   * rollback of the caller's transaction gives the token back.
   */
  async consume(reauthToken: string, accountId: string, sessionId: string, at: Date): Promise<boolean> {
    const result = await this.tx
      .repo(ReauthToken)
      .createQueryBuilder()
      .update()
      .set({ usedAt: at })
      .where('token_hash = :tokenHash AND account_id = :accountId AND session_id = :sessionId AND used_at IS NULL AND expires_at > :at', {
        tokenHash: hashOpaqueToken(reauthToken),
        accountId,
        sessionId,
        at,
      })
      .execute();
    return result.affected === 1;
  }
}
