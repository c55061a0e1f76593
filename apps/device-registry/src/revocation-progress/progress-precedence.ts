import { EventSubject, PROGRESS_RANK, ProgressState, RevocationReason, RevocationScope } from '@signoff/contracts';

/**
 * Whether a report moves a device forward in a revocation. Strictly forward only: a duplicate
 * or late event (a `cut` after the `ack`, a second `pending`) never takes a state back, and of
 * two final states the first one reported stays.
 */
export function advancesProgress(current: ProgressState, next: ProgressState): boolean {
  return PROGRESS_RANK[next] > PROGRESS_RANK[current];
}

/**
 * The same rank in SQL, for set-based statements: `PROGRESS_RANK` written out as a CASE over a
 * state-valued expression (e.g. `EXCLUDED.state`), so SQL and `advancesProgress` never disagree.
 * An unknown state ranks NULL, and a comparison with NULL never advances anything.
 */
export function progressRankSql(expression: string): string {
  const cases = Object.entries(PROGRESS_RANK).map(([state, rank]) => {
    // Interpolated into SQL: only ever the constants above, and checked to stay plain.
    if (!/^[a-z_]+$/.test(state) || !Number.isInteger(rank)) throw new Error(`unexpected progress rank ${state}=${rank}`);
    return `WHEN '${state}' THEN ${rank}`;
  });
  return `(CASE ${expression} ${cases.join(' ')} END)`;
}

/**
 * What one-by-one handling of a device's reports, in order, leaves: each report moves the state
 * only forward, so the outcome is the first report of the highest rank. (Whether it beats the
 * state already stored is for the database to decide, by the same rank.)
 */
export function strongestReport<T extends { state: ProgressState }>(reports: readonly T[]): T {
  if (reports.length === 0) throw new Error('strongestReport of no reports');
  let strongest = reports[0];
  for (const report of reports) if (advancesProgress(strongest.state, report.state)) strongest = report;
  return strongest;
}

/**
 * The scope auth-service records for a `security.session.revoked.v1` of each reason (its
 * `revocations/`, `sessions/` and `sign-in-alerts/` name it with the revocation). Events carry
 * the scope since it was added to the contract; for those published before, it is derived here,
 * for every reason: a `Record`, so a new reason does not compile without one. Reasons that bump
 * the epoch never come on this event.
 */
const SESSION_REVOKED_SCOPE: Record<RevocationReason, RevocationScope> = {
  sign_out_device: 'device',
  device_not_recognised: 'device',
  logout: 'session',
  refresh_token_reused: 'session',
  replaced_by_new_sign_in: 'session',
  session_expired: 'session',
  sign_out_all: 'all_devices',
  password_changed: 'all_devices',
  password_reset: 'all_devices',
};

/** What a revocation event covered, for its progress page: as auth-service recorded it. */
export function revocationScope(subject: typeof EventSubject.sessionRevoked | typeof EventSubject.accountEpochBumped, reason: RevocationReason): RevocationScope {
  if (subject === EventSubject.accountEpochBumped) return 'all_devices';
  return SESSION_REVOKED_SCOPE[reason] ?? 'session';
}
