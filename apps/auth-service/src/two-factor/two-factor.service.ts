import { Injectable, Logger } from '@nestjs/common';
import {
  BeginTwoFactorEnrolmentRequest,
  ConfirmTwoFactorRequest,
  DisableTwoFactorRequest,
  GetTwoFactorStatusRequest,
  OtpStepUpRequest,
  RecoveryCodesReply,
  RegenerateRecoveryCodesRequest,
  SignoffError,
  StepUpReply,
  TOTP_POLICY,
  TwoFactorDisabledReply,
  TwoFactorEnrolmentReply,
  TwoFactorStatusReply,
} from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { AccountStore } from '../accounts/account.store';
import { SessionStore } from '../sessions/session.store';
import { StepUpService } from '../step-up/step-up.service';
import { TwoFactorCrypto } from './two-factor-crypto';
import { TwoFactorRecord, TwoFactorStore } from './two-factor.store';
import { classifyCode, newRecoveryCode, newTotpSecret, otpauthUri, stepOfCode } from './totp';

/**
 * Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step). Enrolling, turning it
 * off and new recovery codes need a fresh step-up of this session (SECURITY promise 4);
 * confirming needs a code from the new secret. Once confirmed, sign-in and step-up accept a
 * code; a code is refused a second time within its step, a recovery code works once.
 */
@Injectable()
export class TwoFactorService {
  private readonly logger = new Logger(TwoFactorService.name);

  constructor(
    private readonly tx: TransactionContext,
    private readonly store: TwoFactorStore,
    private readonly crypto: TwoFactorCrypto,
    private readonly sessions: SessionStore,
    private readonly accounts: AccountStore,
    private readonly stepUps: StepUpService,
  ) {}

  async status(request: GetTwoFactorStatusRequest): Promise<TwoFactorStatusReply> {
    await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
    const record = await this.store.find(request.accountId, { lock: false });
    const enabled = Boolean(record?.confirmedAt);
    return { enabled, pending: Boolean(record && !record.confirmedAt), recoveryCodesLeft: enabled ? await this.store.recoveryCodesLeft(request.accountId) : 0 };
  }

  /** A new secret, pending until confirmed: sign-in does not ask for a code yet. */
  begin(request: BeginTwoFactorEnrolmentRequest): Promise<TwoFactorEnrolmentReply> {
    return this.tx.run(async () => {
      await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      await this.consumeReauth(request.reauthToken, request.accountId, request.sessionId);
      const account = await this.accounts.findById(request.accountId);
      if (!account) throw new SignoffError('ACCOUNT_NOT_FOUND', 'no such account');
      const existing = await this.store.find(account.id, { lock: true });
      if (existing?.confirmedAt) throw new SignoffError('TWO_FACTOR_ALREADY_ENABLED', 'two-factor sign-in is already on; turn it off first');
      const secret = newTotpSecret();
      await this.store.savePending(account.id, this.crypto.seal(secret, account.id), new Date());
      this.logger.log(`two-factor enrolment started accountId=${account.id} sessionId=${request.sessionId}`);
      return { otpauthUri: otpauthUri(secret, account.email), secret };
    });
  }

  /** Proves the authenticator holds the secret; from now on sign-in asks for a code. */
  confirm(request: ConfirmTwoFactorRequest): Promise<RecoveryCodesReply> {
    return this.tx.run(async () => {
      await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      const record = await this.store.find(request.accountId, { lock: true });
      if (!record || record.confirmedAt) throw new SignoffError('TWO_FACTOR_NOT_PENDING', 'there is no two-factor enrolment to confirm; start one first');
      const presented = classifyCode(request.code);
      const now = new Date();
      const step = presented.kind === 'totp' ? stepOfCode(this.secretOf(record), presented.code, now) : undefined;
      if (step === undefined) {
        this.logger.warn(`two-factor confirmation refused accountId=${request.accountId}`);
        throw invalidOtp();
      }
      await this.store.confirm(record.accountId, step, now);
      const recoveryCodes = await this.issueRecoveryCodes(record.accountId, now);
      this.logger.log(`two-factor enabled accountId=${record.accountId} sessionId=${request.sessionId}`);
      return { recoveryCodes };
    });
  }

  /** Off again: needs a step-up and a current code (or a recovery code). */
  disable(request: DisableTwoFactorRequest): Promise<TwoFactorDisabledReply> {
    return this.tx.run(async () => {
      await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      await this.consumeReauth(request.reauthToken, request.accountId, request.sessionId);
      const record = await this.store.find(request.accountId, { lock: true });
      if (!record?.confirmedAt) throw new SignoffError('TWO_FACTOR_NOT_ENABLED', 'two-factor sign-in is not on');
      // A wrong code throws, and the rollback hands the reauth token back; the gateway throttles guesses.
      if (!(await this.accept(record, request.code, new Date()))) {
        this.logger.warn(`two-factor disable refused (wrong code) accountId=${request.accountId}`);
        throw invalidOtp();
      }
      await this.store.delete(record.accountId);
      this.logger.log(`two-factor disabled accountId=${record.accountId} sessionId=${request.sessionId}`);
      return { disabled: true };
    });
  }

  /** Ten new recovery codes; the old ones stop working. */
  regenerateRecoveryCodes(request: RegenerateRecoveryCodesRequest): Promise<RecoveryCodesReply> {
    return this.tx.run(async () => {
      await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      await this.consumeReauth(request.reauthToken, request.accountId, request.sessionId);
      const record = await this.store.find(request.accountId, { lock: true });
      if (!record?.confirmedAt) throw new SignoffError('TWO_FACTOR_NOT_ENABLED', 'two-factor sign-in is not on');
      const recoveryCodes = await this.issueRecoveryCodes(record.accountId, new Date());
      this.logger.log(`recovery codes replaced accountId=${record.accountId} sessionId=${request.sessionId}`);
      return { recoveryCodes };
    });
  }

  /**
   * Step-up by a code instead of the password: the same reauth token the password step-up buys,
   * bound to this account and this session, five minutes, once.
   */
  stepUp(request: OtpStepUpRequest): Promise<StepUpReply> {
    return this.tx.run(async () => {
      const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      const record = await this.store.find(session.accountId, { lock: false });
      if (!record?.confirmedAt || !(await this.accept(record, request.otpCode, new Date()))) {
        this.logger.warn(`step-up by code refused accountId=${request.accountId} sessionId=${request.sessionId}`);
        throw new SignoffError('STEP_UP_FAILED', 'the code is not correct');
      }
      return this.stepUps.issue(session.accountId, session.id);
    });
  }

  /**
   * The second factor of a sign-in, called inside the sign-in transaction after the password
   * was verified (so nothing here tells a wrong password apart). Returns when the account has
   * no confirmed two-factor or the code is good (and then used up); throws otherwise.
   */
  async requireForSignIn(accountId: string, otpCode: string | undefined, at: Date): Promise<void> {
    const record = await this.store.find(accountId, { lock: false });
    if (!record?.confirmedAt) return;
    if (otpCode === undefined) throw new SignoffError('OTP_REQUIRED', 'this account asks for a code from the authenticator app (otpCode)');
    if (!(await this.accept(record, otpCode, at))) {
      this.logger.warn(`sign-in refused (wrong or reused code) accountId=${accountId}`);
      throw invalidOtp();
    }
  }

  /** Checks a TOTP or recovery code and uses it up; false if wrong, expired or used already. */
  private async accept(record: TwoFactorRecord, input: string, at: Date): Promise<boolean> {
    const presented = classifyCode(input);
    if (presented.kind === 'totp') {
      const step = stepOfCode(this.secretOf(record), presented.code, at);
      return step !== undefined && (await this.store.claimStep(record.accountId, step));
    }
    if (presented.kind === 'recovery') {
      const used = await this.store.useRecoveryCode(record.accountId, this.crypto.recoveryCodeHash(record.accountId, presented.code), at);
      if (used) this.logger.log(`recovery code used accountId=${record.accountId}`);
      return used;
    }
    return false;
  }

  private async issueRecoveryCodes(accountId: string, at: Date): Promise<string[]> {
    const codes = Array.from({ length: TOTP_POLICY.recoveryCodeCount }, () => newRecoveryCode());
    const hashes = codes.map((code) => {
      const presented = classifyCode(code);
      if (presented.kind !== 'recovery') throw new Error('a generated recovery code does not parse');
      return this.crypto.recoveryCodeHash(accountId, presented.code);
    });
    await this.store.replaceRecoveryCodes(accountId, hashes, at);
    return codes;
  }

  private secretOf(record: TwoFactorRecord): string {
    return this.crypto.open(record.secretCiphertext, record.accountId);
  }

  private async consumeReauth(reauthToken: string, accountId: string, sessionId: string): Promise<void> {
    if (!(await this.stepUps.consume(reauthToken, accountId, sessionId, new Date()))) {
      throw new SignoffError('REAUTH_REQUIRED', 'confirm it is you first (step-up) to change two-factor sign-in');
    }
  }
}

function invalidOtp(): SignoffError {
  return new SignoffError('INVALID_OTP', 'the code is not correct, has expired or was used already');
}
