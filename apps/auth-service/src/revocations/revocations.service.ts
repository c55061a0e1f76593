import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  EventSubject,
  LogoutReply,
  LogoutRequest,
  RevocationAccepted,
  RevocationReason,
  RevocationScope,
  RevokeAllSessionsRequest,
  SignOutDeviceRequest,
  SignoffError,
} from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { AccountStore } from '../accounts/account.store';
import { UnitOfWork } from '../outbox/unit-of-work';
import { Session } from '../sessions/session.entity';
import { unknownSessionError } from '../sessions/session-errors';
import { SessionStore } from '../sessions/session.store';
import { StepUpService } from '../step-up/step-up.service';
import { Revocation } from './revocation.entity';

export interface RevokeSessionsInput {
  accountId: string;
  /** Sessions the caller has locked `FOR UPDATE` and found live. */
  sessions: Session[];
  scope: RevocationScope;
  reason: RevocationReason;
  requestedBySessionId: string | null;
}

/**
 * Sign-outs. Each one is a single transaction that locks the sessions, marks them revoked,
 * records the revocation and writes its event to the outbox (DESIGN, invariants 1 and 5):
 * a database failure anywhere leaves nothing half-written, and a broker outage only delays
 * the event.
 */
@Injectable()
export class RevocationsService {
  private readonly logger = new Logger(RevocationsService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tx: TransactionContext,
    private readonly sessions: SessionStore,
    private readonly accounts: AccountStore,
    private readonly stepUps: StepUpService,
  ) {}

  /** Signs this session out. Idempotent: a session already revoked answers with its revocation. */
  logout(request: LogoutRequest): Promise<LogoutReply> {
    return this.uow.run(async () => {
      const session = await this.sessions.lockOwned(request.accountId, request.sessionId);
      if (!session) throw unknownSessionError();
      if (session.revokedAt && session.revocationId) return { revocationId: session.revocationId };
      const revocation = await this.revokeSessions({
        accountId: session.accountId,
        sessions: [session],
        scope: 'session',
        reason: 'logout',
        requestedBySessionId: session.id,
      });
      return { revocationId: revocation.id };
    });
  }

  /**
   * Signs one device of the account out. Decision: no step-up. Unlike "sign out everywhere" it
   * is undone by signing in again on that device, and it is what a holder reaches for when a
   * phone is lost; asking for the password then helps nobody (SECURITY, decisions to write down).
   */
  signOutDevice(request: SignOutDeviceRequest): Promise<RevocationAccepted> {
    return this.uow.run(async () => {
      await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
      const target = await this.sessions.lockLiveOnDevice(request.accountId, request.deviceId);
      if (!target) throw new SignoffError('DEVICE_NOT_FOUND', 'no signed-in device with this id');
      const revocation = await this.revokeSessions({
        accountId: request.accountId,
        sessions: [target],
        scope: 'device',
        reason: request.notRecognised ? 'device_not_recognised' : 'sign_out_device',
        requestedBySessionId: request.sessionId,
      });
      return { revocationId: revocation.id };
    });
  }

  /**
   * "Sign out of all devices": consumes the step-up, bumps the account epoch (every access
   * token minted before is dead) and revokes every live session, the caller's too unless
   * `includeCurrent` is false. Without a valid reauth token nothing changes at all.
   */
  revokeAll(request: RevokeAllSessionsRequest): Promise<RevocationAccepted> {
    return this.uow.run(async () => {
      const consumed = await this.stepUps.consume(request.reauthToken, request.accountId, request.sessionId, new Date());
      if (!consumed) throw new SignoffError('REAUTH_REQUIRED', 'confirm your password first (step-up) to sign out every device');
      // Lock order: account row (taken by the epoch bump), then the caller's session. A session
      // revoked since its step-up may not act; the whole transaction then rolls back.
      const epoch = await this.accounts.bumpEpoch(request.accountId);
      if (epoch === undefined) throw unknownSessionError();
      const caller = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: true });
      const revocation = await this.revokeAccountSessions({
        accountId: request.accountId,
        epoch,
        reason: 'sign_out_all',
        requestedBySessionId: caller.id,
        exceptSessionId: request.includeCurrent ? undefined : caller.id,
      });
      return { revocationId: revocation.id };
    });
  }

  /**
   * Every live session of the account (but `exceptSessionId`) signed out in the running unit of
   * work, whose caller holds the account row and has bumped its epoch to `epoch`: the revocation
   * row, one UPDATE of the sessions, and `security.account.epoch_bumped.v1`, the event gateways
   * and the registry fan out. Used by "sign out of all devices" and by password change.
   */
  async revokeAccountSessions(input: {
    accountId: string;
    epoch: number;
    reason: Extract<RevocationReason, 'sign_out_all' | 'password_changed' | 'password_reset'>;
    requestedBySessionId: string | null;
    exceptSessionId?: string;
  }): Promise<Revocation> {
    const revocation = await this.insertRevocation(
      { accountId: input.accountId, scope: 'all_devices', reason: input.reason, requestedBySessionId: input.requestedBySessionId },
      new Date(),
    );
    const revoked = await this.sessions.revokeLiveOfAccount(input.accountId, { id: revocation.id, reason: input.reason }, input.exceptSessionId);
    // The event happened when the last session was revoked (after any lock wait).
    const at = new Date(Math.max(revocation.createdAt.getTime(), ...revoked.map((s) => (s.revokedAt as Date).getTime())));
    await this.uow.emit(EventSubject.accountEpochBumped, {
      eventId: randomUUID(),
      occurredAt: at.toISOString(),
      revocationId: revocation.id,
      accountId: input.accountId,
      epoch: input.epoch,
      ...(input.exceptSessionId ? { exceptSessionId: input.exceptSessionId } : {}),
      sessionIds: revoked.map((s) => s.id),
      deviceIds: revoked.map((s) => s.deviceId),
      reason: input.reason,
      scope: 'all_devices',
    });
    this.logger.log(
      `signed out account accountId=${input.accountId} reason=${input.reason} revocationId=${revocation.id} epoch=${input.epoch} sessions=${revoked.length}`,
    );
    return revocation;
  }

  /**
   * Revokes sessions the caller has locked, records why, and writes `security.session.revoked.v1`.
   * Must run inside a unit of work (the outbox refuses otherwise).
   */
  async revokeSessions(input: RevokeSessionsInput): Promise<Revocation> {
    const at = new Date();
    const revocation = await this.record(input, at);
    await this.uow.emit(EventSubject.sessionRevoked, {
      eventId: randomUUID(),
      occurredAt: at.toISOString(),
      revocationId: revocation.id,
      accountId: input.accountId,
      sessionIds: input.sessions.map((s) => s.id),
      deviceIds: input.sessions.map((s) => s.deviceId),
      reason: input.reason,
      scope: input.scope,
    });
    this.logger.log(
      `revoked reason=${input.reason} revocationId=${revocation.id} accountId=${input.accountId} sessionIds=${input.sessions.map((s) => s.id).join(',')}`,
    );
    return revocation;
  }

  /** The revocation row, then the sessions pointing at it (the foreign key wants that order). */
  private async record(input: RevokeSessionsInput, at: Date): Promise<Revocation> {
    const revocation = await this.insertRevocation(input, at);
    await this.sessions.markRevoked(
      input.sessions.map((s) => s.id),
      { id: revocation.id, reason: input.reason, at },
    );
    return revocation;
  }

  private async insertRevocation(input: Omit<RevokeSessionsInput, 'sessions'>, at: Date): Promise<Revocation> {
    const revocation: Revocation = {
      id: randomUUID(),
      accountId: input.accountId,
      scope: input.scope,
      reason: input.reason,
      requestedBySessionId: input.requestedBySessionId,
      createdAt: at,
    };
    await this.tx.repo(Revocation).insert(revocation);
    return revocation;
  }
}
