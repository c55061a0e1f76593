import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  CheckSessionReply,
  CheckSessionRequest,
  DeviceType,
  EventSubject,
  LoginReply,
  LoginRequest,
  REFRESH_LIFETIMES,
  RefreshReply,
  RefreshRequest,
  SignoffError,
} from '@signoff/contracts';
import { AccountStore } from '../accounts/account.store';
import { normalizeEmail } from '../accounts/email';
import { AuthConfig } from '../config/auth.config';
import { PasswordHasher } from '../credentials/password-hasher';
import { UnitOfWork } from '../outbox/unit-of-work';
import { RevocationsService } from '../revocations/revocations.service';
import { SignInAlertsService } from '../sign-in-alerts/sign-in-alerts.service';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { TwoFactorService } from '../two-factor/two-factor.service';
import { Session } from './session.entity';
import { sessionRevokedError } from './session-errors';
import { SessionStore } from './session.store';

type RefreshOutcome = { kind: 'rotated'; reply: RefreshReply } | { kind: 'reused'; session: Session; revocationId: string };

/**
 * Sign-in and refresh. Access tokens are minted inside the transaction, while the session row
 * is locked: a token is ready before any revoke waiting on that row can commit, so a refresh
 * that succeeds was serialised before the revoke (DESIGN, invariant 1), and it carries the
 * epoch as it stood then.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly config: AuthConfig,
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenIssuer,
    private readonly revocations: RevocationsService,
    // Typed optional only so the existing refusal spec (8 arguments) still compiles; Nest still
    // requires it (no @Optional()), and a sign-in fails closed should it ever be missing.
    private readonly twoFactor: TwoFactorService,
    // Typed optional for the same reason (the refusal spec passes nine); Nest injects it, and a
    // sign-in without it fails closed rather than opening a session nobody is told about.
    private readonly signInAlerts: SignInAlertsService,
  ) {}

  async login(request: LoginRequest): Promise<LoginReply> {
    const found = await this.accounts.findByEmail(normalizeEmail(request.email));
    const valid = found ? await this.hasher.verify(found.passwordHash, request.password) : await this.hasher.verifyWithoutAccount(request.password);
    if (!found || !valid) throw invalidCredentials();

    const signedIn = await this.uow.run(async () => {
      const account = await this.accounts.lockById(found.id);
      // The password was checked before the lock: if it changed in between (a password change
      // committed meanwhile), the old one must not open a session the change did not sign out.
      if (!account || account.passwordHash !== found.passwordHash) throw invalidCredentials();
      const now = new Date();
      // Only after the password was right: a wrong password answers exactly as before.
      await this.twoFactor.requireForSignIn(account.id, request.otpCode, now);
      const sessionId = randomUUID();
      const previous = await this.sessions.lockLiveOnDevice(account.id, request.device.id);
      if (previous) {
        await this.revocations.revokeSessions({
          accountId: account.id,
          sessions: [previous],
          scope: 'session',
          reason: 'replaced_by_new_sign_in',
          requestedBySessionId: sessionId,
        });
      }
      const lifetime = this.lifetimeOf(request.device.type, request.sessionLifetimeSeconds);
      const absoluteExpiresAt = addSeconds(now, lifetime.absoluteSeconds);
      await this.sessions.insert({
        id: sessionId,
        accountId: account.id,
        deviceId: request.device.id,
        deviceType: request.device.type,
        profileId: null,
        kidsRestricted: false,
        createdAt: now,
        lastUsedAt: now,
        idleExpiresAt: earliest(addSeconds(now, lifetime.idleSeconds), absoluteExpiresAt),
        absoluteExpiresAt,
        revokedAt: null,
        revocationId: null,
        revokeReason: null,
      });
      const refreshToken = await this.refreshTokens.issue(sessionId, now);
      await this.uow.emit(EventSubject.sessionStarted, {
        eventId: randomUUID(),
        occurredAt: now.toISOString(),
        accountId: account.id,
        sessionId,
        device: request.device,
        ...(request.ip ? { ip: request.ip } : {}),
        ...(request.userAgent ? { userAgent: request.userAgent } : {}),
      });
      // The sign-in alert (mail + "this wasn't me" token) commits with the session or not at all.
      const alerted = await this.signInAlerts.queue({ accountId: account.id, email: account.email, sessionId, device: request.device, at: now, ip: request.ip });
      const { accessToken, expiresIn } = await this.tokens.issue(
        { accountId: account.id, sessionId, deviceId: request.device.id, epoch: account.epoch, plan: account.plan },
        absoluteExpiresAt,
        now,
      );
      this.logger.log(`signed in accountId=${account.id} sessionId=${sessionId} deviceId=${request.device.id}`);
      return { reply: { accessToken, refreshToken, expiresIn, sessionId, accountId: account.id }, alerted };
    });
    if (signedIn.alerted) this.signInAlerts.kick();
    return signedIn.reply;
  }

  /**
   * Rotates a refresh token. The session row is locked before anything is decided, and the
   * token row is read again under that lock: a concurrent refresh or revoke has either
   * committed (and is seen) or waits for us.
   */
  async refresh(request: RefreshRequest): Promise<RefreshReply> {
    const presented = await this.refreshTokens.findByToken(request.refreshToken);
    if (!presented) throw new SignoffError('REFRESH_TOKEN_INVALID', 'this refresh token is not valid');

    const outcome = await this.uow.run(async (): Promise<RefreshOutcome> => {
      const session = await this.sessions.lockById(presented.sessionId);
      const token = await this.refreshTokens.findByToken(request.refreshToken);
      if (!session || !token) throw new SignoffError('REFRESH_TOKEN_INVALID', 'this refresh token is not valid');
      if (session.revokedAt) throw sessionRevokedError(session);

      const now = new Date();
      if (token.supersededAt) {
        // Reuse of a rotated token: whoever holds the chain, the session is compromised
        // (RFC 9700 §4.14.2). Revoke it here; the error is thrown after the commit.
        const revocation = await this.revocations.revokeSessions({
          accountId: session.accountId,
          sessions: [session],
          scope: 'session',
          reason: 'refresh_token_reused',
          requestedBySessionId: null,
        });
        return { kind: 'reused', session: { ...session, revokedAt: revocation.createdAt, revocationId: revocation.id }, revocationId: revocation.id };
      }
      if (now >= session.idleExpiresAt || now >= session.absoluteExpiresAt) {
        throw new SignoffError('SESSION_EXPIRED', 'this session has expired; sign in again');
      }

      const account = await this.accounts.findById(session.accountId);
      if (!account) throw new SignoffError('REFRESH_TOKEN_INVALID', 'this refresh token is not valid');
      await this.refreshTokens.supersede(token.id, now);
      const refreshToken = await this.refreshTokens.issue(session.id, now);
      const idleSeconds = this.lifetimeOf(session.deviceType).idleSeconds;
      await this.sessions.touch(session.id, now, earliest(addSeconds(now, idleSeconds), session.absoluteExpiresAt));
      const profile = session.profileId ? await this.accounts.profileOf(account.id, session.profileId) : null;
      const { accessToken, expiresIn } = await this.tokens.issue(
        {
          accountId: account.id,
          sessionId: session.id,
          deviceId: session.deviceId,
          epoch: account.epoch,
          plan: account.plan,
          ...(profile ? { profile: { profileId: profile.id, kids: profile.kids } } : {}),
          kidsRestricted: session.kidsRestricted,
        },
        session.absoluteExpiresAt,
        now,
      );
      return { kind: 'rotated', reply: { accessToken, refreshToken, expiresIn, sessionId: session.id } };
    });

    if (outcome.kind === 'reused') {
      this.logger.warn(`refresh token reused; session revoked sessionId=${outcome.session.id} revocationId=${outcome.revocationId}`);
      const revoked = sessionRevokedError(outcome.session);
      throw new SignoffError('REFRESH_TOKEN_REUSED', 'this refresh token was already used; the session has been signed out', revoked.details);
    }
    return outcome.reply;
  }

  /**
   * Whether a session may still act, from the row every sign-out writes before its event is
   * published: what a gateway whose revocation view is stale asks before letting a sign-out
   * route through. Answers as the view would: a revoked session gets `SESSION_REVOKED` with its
   * logout directive (a session kept by "sign out the others" stays live; every other session of
   * an older epoch was revoked in the same transaction as the bump).
   */
  async check(request: CheckSessionRequest): Promise<CheckSessionReply> {
    await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
    return {};
  }

  /**
   * The device class's refresh lifetimes, capped by this deployment's settings, and by the
   * lifetime a time-limited sign-in asked for (which is then both its idle and absolute limit).
   */
  private lifetimeOf(deviceType: string, timeLimitSeconds?: number): { idleSeconds: number; absoluteSeconds: number } {
    const byClass = REFRESH_LIFETIMES[deviceType as DeviceType] ?? REFRESH_LIFETIMES.other;
    const cap = timeLimitSeconds ?? Number.POSITIVE_INFINITY;
    return {
      idleSeconds: Math.min(byClass.idleSeconds, this.config.REFRESH_IDLE_SECONDS, cap),
      absoluteSeconds: Math.min(byClass.absoluteSeconds, this.config.REFRESH_ABSOLUTE_SECONDS, cap),
    };
  }
}

function invalidCredentials(): SignoffError {
  return new SignoffError('INVALID_CREDENTIALS', 'the email or password is not correct');
}

function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
