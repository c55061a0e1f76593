import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RepeatingTask } from '@signoff/service-kit';
import { AccountStore } from '../accounts/account.store';
import { AuthConfig } from '../config/auth.config';
import { UnitOfWork } from '../outbox/unit-of-work';
import { RevocationsService } from '../revocations/revocations.service';
import { SessionStore } from './session.store';

/** Accounts handled per look; a look keeps going while it finds a full page. */
const ACCOUNTS_PER_PAGE = 200;

/**
 * Ends sessions that reached their end by themselves — a time-limited sign-in after its hour or
 * three days, any session past its idle or absolute limit — as a revocation (reason
 * `session_expired`), so open control channels and streams are cut and the registry records it
 * like any sign-out. Runs on every replica every `SESSION_EXPIRY_SWEEP_SECONDS`; each account is
 * one unit of work that takes the account row first (the service's lock order) and then its
 * expired sessions, so replicas sweeping together revoke each session once.
 */
@Injectable()
export class SessionExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionExpirySweeper.name);
  private readonly task: RepeatingTask;
  private stopped = false;

  constructor(
    private readonly config: AuthConfig,
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly revocations: RevocationsService,
  ) {
    this.task = new RepeatingTask(
      'session expiry sweep',
      () => this.config.SESSION_EXPIRY_SWEEP_SECONDS * 1000,
      async () => {
        const ended = await this.sweep();
        if (ended > 0) this.logger.log(`signed out ${ended} session(s) that reached their end`);
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    this.stopped = true;
    return this.task.stop();
  }

  /** Signs out every session past its end now; resolves with how many. Also what the timer runs. */
  async sweep(now = new Date()): Promise<number> {
    let ended = 0;
    for (;;) {
      const accountIds = await this.sessions.accountsWithExpiredSessions(now, ACCOUNTS_PER_PAGE);
      for (const accountId of accountIds) ended += await this.endExpired(accountId, now);
      if (accountIds.length < ACCOUNTS_PER_PAGE || this.stopped) return ended;
    }
  }

  private endExpired(accountId: string, now: Date): Promise<number> {
    return this.uow.run(async () => {
      await this.accounts.lockById(accountId);
      const expired = await this.sessions.lockExpiredLive(accountId, now);
      if (expired.length === 0) return 0;
      await this.revocations.revokeSessions({ accountId, sessions: expired, scope: 'session', reason: 'session_expired', requestedBySessionId: null });
      return expired.length;
    });
  }

}
