/**
 * The gateway's in-memory answer to "is this session still signed in?" — a Map lookup on the
 * hot path. Fed by the SECURITY stream (replayed at start over the access-token lifetime, then
 * followed live). Entries are kept only as long as a token they concern could still be
 * unexpired: after that the token's own `exp` refuses it.
 *
 * Rules:
 * - `session.revoked` marks each session id dead.
 * - `epoch_bumped` kills every token of the account minted with an older epoch, except the
 *   session named in `exceptSessionId` (which keeps whatever epoch it already had).
 * - Events are applied idempotently and monotonically: a duplicate or an older epoch arriving
 *   late changes nothing, so nothing revoked is ever resurrected.
 */
export interface TokenIdentity {
  accountId: string;
  sessionId: string;
  epoch: number;
}

interface SessionMark {
  revocationId: string;
  expiresAt: number;
}

interface AccountEpoch {
  epoch: number;
  revocationId: string;
  /** Sessions kept signed in by a bump: the oldest epoch their tokens may carry. */
  survivors: Map<string, number>;
  expiresAt: number;
}

export class RevocationView {
  private readonly sessions = new Map<string, SessionMark>();
  private readonly accounts = new Map<string, AccountEpoch>();

  /** @param retentionMs how long after an event its tokens could still be unexpired (TTL + tolerance). */
  constructor(private readonly retentionMs: number) {}

  /** The revocation that killed this token, or undefined when it is still good. */
  revocationFor(token: TokenIdentity): string | undefined {
    const session = this.sessions.get(token.sessionId);
    if (session) return session.revocationId;
    const account = this.accounts.get(token.accountId);
    if (account && token.epoch < account.epoch) {
      const floor = account.survivors.get(token.sessionId);
      if (floor === undefined || token.epoch < floor) return account.revocationId;
    }
    return undefined;
  }

  applySessionRevoked(event: { revocationId: string; sessionIds: readonly string[]; occurredAt: string }): void {
    const expiresAt = Date.parse(event.occurredAt) + this.retentionMs;
    for (const sessionId of event.sessionIds) {
      const existing = this.sessions.get(sessionId);
      // The first revocation of a session is the one reported; later ones only extend retention.
      if (existing) existing.expiresAt = Math.max(existing.expiresAt, expiresAt);
      else this.sessions.set(sessionId, { revocationId: event.revocationId, expiresAt });
    }
  }

  /** @returns false when the event was stale (an older or equal epoch): nothing changed. */
  applyEpochBumped(event: { accountId: string; epoch: number; exceptSessionId?: string; revocationId: string; occurredAt: string }): boolean {
    const previous = this.accounts.get(event.accountId);
    if (previous && event.epoch <= previous.epoch) return false;
    const survivors = new Map<string, number>();
    if (event.exceptSessionId) {
      // A survivor keeps tokens from before this bump: from its earlier floor if it survived
      // before, else from the epoch just replaced.
      const floor = previous?.survivors.get(event.exceptSessionId) ?? event.epoch - 1;
      survivors.set(event.exceptSessionId, floor);
    }
    this.accounts.set(event.accountId, {
      epoch: event.epoch,
      revocationId: event.revocationId,
      survivors,
      expiresAt: Date.parse(event.occurredAt) + this.retentionMs,
    });
    return true;
  }

  /** Forgets entries no unexpired token can match any more. */
  prune(now = Date.now()): number {
    let removed = 0;
    for (const [id, mark] of this.sessions) if (mark.expiresAt <= now && this.sessions.delete(id)) removed++;
    for (const [id, account] of this.accounts) if (account.expiresAt <= now && this.accounts.delete(id)) removed++;
    return removed;
  }

  get size(): { sessions: number; accounts: number } {
    return { sessions: this.sessions.size, accounts: this.accounts.size };
  }
}
