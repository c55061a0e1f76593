import { RevocationView } from './revocation-view';

describe('RevocationView', () => {
  const at = '2026-11-21T12:00:00.000Z';
  const t0 = Date.parse(at);
  const retention = 630_000;
  const token = (over: Partial<{ accountId: string; sessionId: string; epoch: number }> = {}) => ({
    accountId: 'acc',
    sessionId: 's1',
    epoch: 1,
    ...over,
  });

  it('lets an unknown session through', () => {
    expect(new RevocationView(retention).revocationFor(token())).toBeUndefined();
  });

  it('refuses a revoked session with the revocation that killed it', () => {
    const view = new RevocationView(retention);
    view.applySessionRevoked({ revocationId: 'r1', sessionIds: ['s1'], occurredAt: at });
    expect(view.revocationFor(token())).toBe('r1');
    expect(view.revocationFor(token({ sessionId: 's2' }))).toBeUndefined();
  });

  it('keeps reporting the first revocation when a session is revoked twice', () => {
    const view = new RevocationView(retention);
    view.applySessionRevoked({ revocationId: 'r1', sessionIds: ['s1'], occurredAt: at });
    view.applySessionRevoked({ revocationId: 'r2', sessionIds: ['s1'], occurredAt: at });
    expect(view.revocationFor(token())).toBe('r1');
  });

  it('kills older epochs on a bump, but not tokens minted at the new epoch', () => {
    const view = new RevocationView(retention);
    view.applyEpochBumped({ accountId: 'acc', epoch: 2, revocationId: 'r', occurredAt: at });
    expect(view.revocationFor(token({ epoch: 1 }))).toBe('r');
    expect(view.revocationFor(token({ epoch: 2, sessionId: 'new' }))).toBeUndefined();
    expect(view.revocationFor(token({ accountId: 'other', epoch: 1 }))).toBeUndefined();
  });

  it('spares the excepted session, and only it', () => {
    const view = new RevocationView(retention);
    view.applyEpochBumped({ accountId: 'acc', epoch: 2, exceptSessionId: 'keep', revocationId: 'r', occurredAt: at });
    expect(view.revocationFor(token({ sessionId: 'keep', epoch: 1 }))).toBeUndefined();
    expect(view.revocationFor(token({ sessionId: 's1', epoch: 1 }))).toBe('r');
  });

  it('a survivor of two bumps keeps its original tokens; a later bump without it kills them', () => {
    const view = new RevocationView(retention);
    view.applyEpochBumped({ accountId: 'acc', epoch: 2, exceptSessionId: 'keep', revocationId: 'r2', occurredAt: at });
    view.applyEpochBumped({ accountId: 'acc', epoch: 3, exceptSessionId: 'keep', revocationId: 'r3', occurredAt: at });
    expect(view.revocationFor(token({ sessionId: 'keep', epoch: 1 }))).toBeUndefined();
    view.applyEpochBumped({ accountId: 'acc', epoch: 4, revocationId: 'r4', occurredAt: at });
    expect(view.revocationFor(token({ sessionId: 'keep', epoch: 3 }))).toBe('r4');
  });

  it('ignores duplicate and out-of-order bumps (no resurrection)', () => {
    const view = new RevocationView(retention);
    expect(view.applyEpochBumped({ accountId: 'acc', epoch: 3, revocationId: 'r3', occurredAt: at })).toBe(true);
    expect(view.applyEpochBumped({ accountId: 'acc', epoch: 2, exceptSessionId: 's1', revocationId: 'r2', occurredAt: at })).toBe(false);
    expect(view.applyEpochBumped({ accountId: 'acc', epoch: 3, exceptSessionId: 's1', revocationId: 'r3', occurredAt: at })).toBe(false);
    expect(view.revocationFor(token({ epoch: 2 }))).toBe('r3');
  });

  it('forgets entries only once no token they concern can be unexpired', () => {
    const view = new RevocationView(retention);
    view.applySessionRevoked({ revocationId: 'r1', sessionIds: ['s1'], occurredAt: at });
    view.applyEpochBumped({ accountId: 'acc', epoch: 2, revocationId: 'r', occurredAt: at });
    expect(view.prune(t0 + retention - 1)).toBe(0);
    expect(view.revocationFor(token())).toBe('r1');
    expect(view.prune(t0 + retention)).toBe(2);
    expect(view.size).toEqual({ sessions: 0, accounts: 0 });
  });
});
