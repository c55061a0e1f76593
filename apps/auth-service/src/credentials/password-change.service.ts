import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ChangePasswordReply, ChangePasswordRequest, EventSubject, SignoffError } from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { Account } from '../accounts/account.entity';
import { AccountStore } from '../accounts/account.store';
import { UnitOfWork } from '../outbox/unit-of-work';
import { RevocationsService } from '../revocations/revocations.service';
import { unknownSessionError } from '../sessions/session-errors';
import { SessionStore } from '../sessions/session.store';
import { ReauthToken } from '../step-up/reauth-token.entity';
import { StepUpService } from '../step-up/step-up.service';
import { PasswordHasher } from './password-hasher';

/** How the transaction ended: a wrong current password commits too (it burns the reauth token). */
type Outcome = { kind: 'changed'; reply: ChangePasswordReply } | { kind: 'wrong_current_password' };

/**
 * Password change from a signed-in session (SECURITY promise 4: a fresh step-up bound to this
 * account and this session, plus the current password). One transaction: the reauth token is
 * used up, the new argon2id hash stored, `security.password.changed.v1` written and, unless the
 * holder keeps them, every other session signed out exactly like "sign out of all devices but
 * this one" (epoch bump + one UPDATE + `security.account.epoch_bumped.v1`, reason
 * `password_changed`). A failure anywhere leaves the password and the sessions as they were.
 */
@Injectable()
export class PasswordChangeService {
  private readonly logger = new Logger(PasswordChangeService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tx: TransactionContext,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly stepUps: StepUpService,
    private readonly hasher: PasswordHasher,
    private readonly revocations: RevocationsService,
  ) {}

  async change(request: ChangePasswordRequest): Promise<ChangePasswordReply> {
    // Cheap refusal first: nothing is consumed for a request that could never succeed.
    if (request.newPassword === request.currentPassword) {
      throw new SignoffError('VALIDATION_FAILED', 'the new password must differ from the current one', { fields: ['newPassword'] });
    }
    const outcome = await this.uow.run(() => this.changeInTransaction(request));
    if (outcome.kind === 'wrong_current_password') {
      this.logger.warn(`password change refused (wrong current password) accountId=${request.accountId} sessionId=${request.sessionId}`);
      throw new SignoffError('STEP_UP_FAILED', 'the current password is not correct; confirm your password again (step-up) and retry');
    }
    return outcome.reply;
  }

  private async changeInTransaction(request: ChangePasswordRequest): Promise<Outcome> {
    const now = new Date();
    const consumed = await this.stepUps.consume(request.reauthToken, request.accountId, request.sessionId, now);
    if (!consumed) throw new SignoffError('REAUTH_REQUIRED', 'confirm your password first (step-up) to change it');
    // Lock order as everywhere in the service: account row, then the caller's session. Holding
    // the account row makes two changes serialise: the second verifies against the new hash.
    const account = await this.accounts.lockById(request.accountId);
    if (!account) throw unknownSessionError();
    const caller = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: true });
    // Wrong: commit what happened so far (only the reauth token is used up), so one step-up buys
    // one guess at the current password, then answer the error.
    if (!(await this.hasher.verify(account.passwordHash, request.currentPassword))) return { kind: 'wrong_current_password' };

    await this.tx.repo(Account).update({ id: account.id }, { passwordHash: await this.hasher.hash(request.newPassword) });
    // A step-up proved knowledge of the old password: any other unused one dies with it.
    await this.tx
      .repo(ReauthToken)
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('account_id = :accountId AND used_at IS NULL', { accountId: account.id })
      .execute();

    const revocationId = request.signOutOtherDevices ? await this.signOutOthers(account.id, caller.id) : undefined;
    await this.uow.emit(EventSubject.passwordChanged, {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      accountId: account.id,
      changedBySessionId: caller.id,
      signedOutOtherDevices: request.signOutOtherDevices,
    });
    this.logger.log(`password changed accountId=${account.id} sessionId=${caller.id} revocationId=${revocationId ?? 'none'}`);
    return { kind: 'changed', reply: revocationId ? { revocationId } : {} };
  }

  private async signOutOthers(accountId: string, callerSessionId: string): Promise<string> {
    const epoch = await this.accounts.bumpEpoch(accountId);
    if (epoch === undefined) throw unknownSessionError();
    const revocation = await this.revocations.revokeAccountSessions({
      accountId,
      epoch,
      reason: 'password_changed',
      requestedBySessionId: callerSessionId,
      exceptSessionId: callerSessionId,
    });
    return revocation.id;
  }
}
