import { EventSubject, PROGRESS_RANK, PROGRESS_STATES, ProgressState } from '@signoff/contracts';
import { advancesProgress, progressRankSql, revocationScope, strongestReport } from './progress-precedence';

describe('advancesProgress', () => {
  it.each<[ProgressState, ProgressState]>([
    ['pending', 'cut'],
    ['pending', 'acknowledged'],
    ['pending', 'logged_out_on_reconnect'],
    ['cut', 'acknowledged'],
    ['cut', 'logged_out_on_reconnect'],
  ])('%s → %s moves forward', (current, next) => {
    expect(advancesProgress(current, next)).toBe(true);
  });

  it.each<[ProgressState, ProgressState]>([
    ['cut', 'pending'],
    ['acknowledged', 'cut'],
    ['acknowledged', 'pending'],
    ['logged_out_on_reconnect', 'cut'],
    ['logged_out_on_reconnect', 'pending'],
    // Both final: the first report stays.
    ['acknowledged', 'logged_out_on_reconnect'],
    ['logged_out_on_reconnect', 'acknowledged'],
  ])('%s → %s is ignored', (current, next) => {
    expect(advancesProgress(current, next)).toBe(false);
  });

  it.each(PROGRESS_STATES)('a repeated %s is ignored', (state) => {
    expect(advancesProgress(state, state)).toBe(false);
  });
});

describe('revocationScope', () => {
  it('an epoch bump covers all devices, whatever the reason', () => {
    expect(revocationScope(EventSubject.accountEpochBumped, 'sign_out_all')).toBe('all_devices');
    expect(revocationScope(EventSubject.accountEpochBumped, 'password_changed')).toBe('all_devices');
  });

  it.each(['sign_out_device', 'device_not_recognised'] as const)('a session revoked for %s covers that device, as auth-service records it', (reason) => {
    expect(revocationScope(EventSubject.sessionRevoked, reason)).toBe('device');
  });

  it.each(['logout', 'refresh_token_reused', 'replaced_by_new_sign_in', 'session_expired'] as const)('a session revoked for %s covers the session', (reason) => {
    expect(revocationScope(EventSubject.sessionRevoked, reason)).toBe('session');
  });
});

describe('strongestReport', () => {
  const r = (state: ProgressState, n: number) => ({ state, n });

  it('keeps the first report of the highest rank, as reports applied one by one would', () => {
    expect(strongestReport([r('cut', 1), r('acknowledged', 2)])).toEqual(r('acknowledged', 2));
    expect(strongestReport([r('acknowledged', 1), r('cut', 2)])).toEqual(r('acknowledged', 1));
    expect(strongestReport([r('logged_out_on_reconnect', 1), r('acknowledged', 2)])).toEqual(r('logged_out_on_reconnect', 1));
    expect(strongestReport([r('cut', 1), r('cut', 2), r('acknowledged', 3), r('logged_out_on_reconnect', 4)])).toEqual(r('acknowledged', 3));
  });

  it('needs at least one report', () => {
    expect(() => strongestReport([])).toThrow();
  });
});

describe('progressRankSql', () => {
  it('writes every rank of PROGRESS_RANK into one CASE over the given expression', () => {
    const sql = progressRankSql('EXCLUDED.state');
    expect(sql.startsWith('(CASE EXCLUDED.state ')).toBe(true);
    for (const state of PROGRESS_STATES) expect(sql).toContain(`WHEN '${state}' THEN ${PROGRESS_RANK[state]}`);
  });
});
