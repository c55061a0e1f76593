import { randomUUID } from 'node:crypto';
import { AccountHistoryEntry, HISTORY_PAGE, RpcSubject, SignoffError } from '@signoff/contracts';
import { sessionRevoked, sessionStarted, signedInDevice, testClock } from '../testing/event-factories';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';
import { DeviceHistoryRepository, NewHistoryEntry } from './device-history.repository';
import { HistoryRetentionPruner } from './history-retention.pruner';

/**
 * History per device and per account: newest first, paged by cursor without repeats or gaps
 * (ties in time, sub-millisecond times), kept after sign-out, deleted past retention.
 */
describe('device-registry: history pages and retention (integration)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const accountHistory = (accountId: string, page: { cursor?: string; limit?: number } = {}) => h.rpc.call(RpcSubject.getAccountHistory, { accountId, ...page });

  async function walk(accountId: string, limit: number): Promise<AccountHistoryEntry[]> {
    const all: AccountHistoryEntry[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await accountHistory(accountId, { limit, ...(cursor ? { cursor } : {}) });
      expect(page.entries.length).toBeLessThanOrEqual(limit);
      all.push(...page.entries);
      if (!page.nextCursor) return all;
      cursor = page.nextCursor;
    }
    throw new Error('more than 100 pages');
  }

  it('pages through an account’s history newest first, without repeats or gaps, even for equal and sub-millisecond times', async () => {
    const accountId = randomUUID();
    const entries: NewHistoryEntry[] = [];
    for (let i = 0; i < 60; i++) {
      // Three entries share each millisecond, two of them a microsecond apart.
      const ms = 1_000 + Math.floor(i / 3);
      const micros = i % 3 === 2 ? '500' : '000';
      entries.push({ accountId, deviceId: i % 2 === 0 ? 'tv' : 'phone', kind: 'activity', at: `2026-11-21T12:00:01.${String(ms).slice(1)}${micros}Z`, detail: `entry ${i}` });
    }
    await h.app.get(DeviceHistoryRepository).appendMany(entries);
    // The device history route answers for devices the registry knows.
    await h.publish('security.session.started.v1', sessionStarted(signedInDevice({ accountId, deviceId: 'tv' }), { occurredAt: '2026-11-21T11:00:00.000Z' }));

    const walked = await walk(accountId, 7);
    expect(walked).toHaveLength(61);
    expect(new Set(walked.map((e) => e.detail)).size).toBe(61);
    const times = walked.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // Among equal times, the later-written entry first.
    expect(walked.slice(0, 3).map((e) => e.detail)).toEqual(['entry 59', 'entry 58', 'entry 57']);

    const first = await accountHistory(accountId);
    expect(first.entries).toHaveLength(HISTORY_PAGE.defaultLimit);
    const tvOnly = await h.rpc.call(RpcSubject.getDeviceHistory, { accountId, deviceId: 'tv', limit: 100 });
    expect(tvOnly.entries).toHaveLength(31);
    expect(tvOnly.nextCursor).toBeNull();
  });

  it('refuses a forged cursor and a limit out of range', async () => {
    const accountId = randomUUID();
    for (const page of [{ cursor: 'bm90LWEtY3Vyc29y' }, { cursor: '!!' }, { limit: 0 }, { limit: HISTORY_PAGE.maxLimit + 1 }]) {
      const error = await accountHistory(accountId, page).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SignoffError);
      expect((error as SignoffError).code).toBe('VALIDATION_FAILED');
    }
  });

  it('keeps a signed-out device’s history, with its name, in the account’s history', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv, { occurredAt: clock.next(), device: { name: 'Living room TV' } }));
    await h.publish('security.session.revoked.v1', sessionRevoked([tv], { occurredAt: clock.next(), reason: 'refresh_token_reused' }));
    const { entries } = await accountHistory(tv.accountId);
    expect(entries.map((e) => [e.deviceId, e.deviceName, e.kind, e.detail])).toEqual([
      [tv.deviceId, 'Living room TV', 'revocation', 'refresh_token_reused'],
      [tv.deviceId, 'Living room TV', 'signed_in', null],
    ]);
  });

  it(`deletes entries older than HISTORY_RETENTION_DAYS (${400} by default) and keeps the rest`, async () => {
    const accountId = randomUUID();
    const now = Date.parse('2026-11-21T12:00:00Z');
    const day = 86_400_000;
    await h.app.get(DeviceHistoryRepository).appendMany([
      { accountId, deviceId: 'tv', kind: 'signed_in', at: new Date(now - 401 * day).toISOString(), detail: 'too old' },
      { accountId, deviceId: 'tv', kind: 'revocation', at: new Date(now - 399 * day).toISOString(), detail: 'kept' },
      { accountId, deviceId: 'tv', kind: 'signed_in', at: new Date(now - day).toISOString(), detail: 'recent' },
    ]);
    expect(h.config.HISTORY_RETENTION_DAYS).toBe(400);
    expect(await h.app.get(HistoryRetentionPruner).pruneNow(now)).toBeGreaterThanOrEqual(1);
    expect((await accountHistory(accountId)).entries.map((e) => e.detail)).toEqual(['recent', 'kept']);
  });
});
