import { EventSubject, PROGRESS_RANK, ProgressState, RevocationReason, RevocationScope } from '@signoff/contracts';

/**
 * Whether a report moves a device forward in a revocation. Strictly forward only: a duplicate
 * or late event (a `cut` after the `ack`, a second `pending`) never takes a state back, and of
 * two final states the first one reported stays.
 */
export function advancesProgress(current: ProgressState, next: ProgressState): boolean {
  return PROGRESS_RANK[next] > PROGRESS_RANK[current];
}

/** What a revocation event covered, for its progress page. */
export function revocationScope(subject: typeof EventSubject.sessionRevoked | typeof EventSubject.accountEpochBumped, reason: RevocationReason): RevocationScope {
  if (subject === EventSubject.accountEpochBumped) return 'all_devices';
  return reason === 'sign_out_device' ? 'device' : 'session';
}
