import { randomUUID } from 'node:crypto';
import { DeviceProgressEvent, EventMap, EventSubject, PROGRESS_RANK, PROGRESS_STATES, RevocationProgressReply, RpcSubject } from '@signoff/contracts';
import { InboundEvent } from '@signoff/messaging';
import { Database } from '../core/database';
import {
  deviceCut,
  epochBumped,
  loggedOutOnReconnect,
  logoutAcknowledged,
  sessionRevoked,
  sessionStarted,
  SignedInDevice,
  signedInDevice,
  testClock,
} from '../testing/event-factories';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';
import { progressRankSql } from './progress-precedence';

/**
 * Events applied in batches (what the registry's consumers do) end where applying them one by one
 * would: these call the handler's batch path directly, so each batch is exactly the one written.
 */
describe('device-registry: revocation progress in batches (integration)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const inbound = <K extends keyof EventMap>(subject: K, payload: EventMap[K]): InboundEvent => ({ subject, payload, streamSequence: 0, redelivered: false }) as InboundEvent;
  const progress = (accountId: string, revocationId: string) => h.rpc.call(RpcSubject.getRevocationProgress, { accountId, revocationId });
  const byDevice = (reply: RevocationProgressReply) => Object.fromEntries(reply.devices.map((d) => [d.deviceId, { state: d.state, at: d.at }]));
  const history = (d: SignedInDevice) => h.rpc.call(RpcSubject.getDeviceHistory, { accountId: d.accountId, deviceId: d.deviceId });

  type ReportKind = typeof EventSubject.deviceCut | typeof EventSubject.deviceLogoutAcknowledged | typeof EventSubject.deviceLoggedOutOnReconnect;
  const report = (kind: ReportKind, device: SignedInDevice, revocationId: string, occurredAt: string): InboundEvent => {
    switch (kind) {
      case EventSubject.deviceCut:
        return inbound(kind, deviceCut(device, { revocationId, occurredAt }));
      case EventSubject.deviceLogoutAcknowledged:
        return inbound(kind, logoutAcknowledged(device, { revocationId, occurredAt }));
      case EventSubject.deviceLoggedOutOnReconnect:
        return inbound(kind, loggedOutOnReconnect(device, { revocationId, occurredAt }));
    }
  };

  it('ranks progress states in SQL exactly as PROGRESS_RANK does', async () => {
    const rows = await h.app.get(Database).rows<{ state: string; rank: number }>(`SELECT s AS state, ${progressRankSql('s')} AS rank FROM unnest($1::text[]) AS s`, [[...PROGRESS_STATES]]);
    expect(Object.fromEntries(rows.map((r) => [r.state, r.rank]))).toEqual(PROGRESS_RANK);
  });

  it.each([
    ['cut then acknowledged', [EventSubject.deviceCut, EventSubject.deviceLogoutAcknowledged], 'acknowledged', 1],
    ['acknowledged then cut', [EventSubject.deviceLogoutAcknowledged, EventSubject.deviceCut], 'acknowledged', 0],
    ['acknowledged then logged out on reconnect', [EventSubject.deviceLogoutAcknowledged, EventSubject.deviceLoggedOutOnReconnect], 'acknowledged', 0],
    ['logged out on reconnect then acknowledged', [EventSubject.deviceLoggedOutOnReconnect, EventSubject.deviceLogoutAcknowledged], 'logged_out_on_reconnect', 0],
    ['cut, cut again', [EventSubject.deviceCut, EventSubject.deviceCut], 'cut', 0],
  ] as const)('one batch with %s for one device keeps the strongest, first of its rank', async (_name, kinds, state, winner) => {
    const clock = testClock();
    const tv = signedInDevice();
    const revocation = sessionRevoked([tv], { occurredAt: clock.next() });
    await h.handler.handle(inbound(EventSubject.sessionRevoked, revocation));
    const reports = kinds.map((kind) => report(kind, tv, revocation.revocationId, clock.next()));

    expect(await h.handler.handleBatch(reports)).toBe(2);

    const reply = await progress(tv.accountId, revocation.revocationId);
    expect(reply.devices).toEqual([expect.objectContaining({ deviceId: tv.deviceId, state, at: reports[winner].payload.occurredAt })]);
    expect(reply.completedAt).not.toBeNull();
  });

  it('takes a signing-key event as applied and does nothing with it (no endless redelivery)', async () => {
    const keys = inbound(EventSubject.keysRotated, {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      kid: 'k2',
      activatesAt: new Date().toISOString(),
      retiredKids: ['k0'],
    });
    expect(await h.handler.handleBatch([keys])).toBe(1);
    expect(await h.handler.handleBatch([keys])).toBe(0);
  });

  it('applies every device of one coalesced progress message (as a gateway sends them)', async () => {
    const clock = testClock();
    const devices = [signedInDevice(), signedInDevice(), signedInDevice()].map((d, i, all) => ({ ...d, accountId: all[0].accountId }));
    const revocation = epochBumped(devices, { occurredAt: clock.next() });
    await h.handler.handle(inbound(EventSubject.accountEpochBumped, revocation));
    const at = clock.next();
    const cut = deviceCut(devices[0], { revocationId: revocation.revocationId, occurredAt: at });
    cut.devices = devices.map((d) => ({ revocationId: revocation.revocationId, accountId: d.accountId, deviceId: d.deviceId, sessionId: d.sessionId, occurredAt: at }));
    const ack = logoutAcknowledged(devices[1], { revocationId: revocation.revocationId, occurredAt: clock.next() });

    expect(await h.handler.handleBatch([inbound(EventSubject.deviceCut, cut), inbound(EventSubject.deviceLogoutAcknowledged, ack)])).toBe(2);

    const states = byDevice(await progress(devices[0].accountId, revocation.revocationId));
    expect(Object.values(states).map((s) => s.state).sort()).toEqual(['acknowledged', 'cut', 'cut']);
    expect(states[devices[1].deviceId].state).toBe('acknowledged');
    // The same message again (redelivery) changes nothing.
    expect(await h.handler.handleBatch([inbound(EventSubject.deviceCut, cut)])).toBe(0);
  });

  it('ends every device where one-by-one handling ends, for any order of reports, known revocation or not', async () => {
    // A small deterministic generator, so that a failure can be replayed.
    let seed = 20261121;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const kinds: ReportKind[] = [EventSubject.deviceCut, EventSubject.deviceLogoutAcknowledged, EventSubject.deviceLoggedOutOnReconnect];

    for (let trial = 0; trial < 40; trial++) {
      const clock = testClock(Date.parse('2026-11-21T12:00:00.000Z') + trial * 3_600_000);
      const signedInAt = clock.next();
      const requestedAt = clock.next();
      const plan = Array.from({ length: 1 + random(7) }, () => ({ device: random(3), kind: kinds[random(3)], at: clock.next() }));
      // Where the revocation event comes: first (the usual), or after some of the reports.
      const revocationAt = random(2) === 0 ? 0 : random(plan.length + 1);

      const run = async (batched: boolean) => {
        const first = signedInDevice();
        const devices = [first, signedInDevice({ accountId: first.accountId }), signedInDevice({ accountId: first.accountId })];
        await h.handler.handleBatch(devices.map((d) => inbound(EventSubject.sessionStarted, sessionStarted(d, { occurredAt: signedInAt }))));
        const revocation = epochBumped(devices, { occurredAt: requestedAt });
        const events = plan.map((p) => report(p.kind, devices[p.device], revocation.revocationId, p.at));
        events.splice(revocationAt, 0, inbound(EventSubject.accountEpochBumped, revocation));
        if (batched) await h.handler.handleBatch(events);
        else for (const event of events) await h.handler.handle(event);
        const reply = await progress(first.accountId, revocation.revocationId);
        const { devices: listed } = await h.rpc.call(RpcSubject.listDevices, { accountId: first.accountId });
        const index = (deviceId: string) => devices.findIndex((d) => d.deviceId === deviceId);
        return {
          devices: reply.devices.map((d) => ({ device: index(d.deviceId), state: d.state, at: d.at })).sort((a, b) => a.device - b.device),
          statuses: listed.map((d) => ({ device: index(d.deviceId), status: d.status })).sort((a, b) => a.device - b.device),
          histories: await Promise.all(devices.map(async (d) => (await history(d)).entries.map((e) => `${e.kind}@${e.at}`))),
          completedAt: reply.completedAt,
        };
      };

      const oneByOne = await run(false);
      const batched = await run(true);
      const context = JSON.stringify({ trial, plan, revocationAt });
      const { completedAt: batchedCompletedAt, ...batchedRest } = batched;
      const { completedAt: oneByOneCompletedAt, ...oneByOneRest } = oneByOne;
      expect({ context, ...batchedRest, completed: batchedCompletedAt !== null }).toEqual({ context, ...oneByOneRest, completed: oneByOneCompletedAt !== null });
      // The check runs once per batch, so a batch may complete at a later report of the same batch.
      if (oneByOneCompletedAt && batchedCompletedAt) expect(Date.parse(batchedCompletedAt)).toBeGreaterThanOrEqual(Date.parse(oneByOneCompletedAt));
    }
  });

  it('applies an event delivered twice within one batch once, and skips one applied before', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const phone = signedInDevice({ accountId: tv.accountId });
    await h.handler.handleBatch([tv, phone].map((d) => inbound(EventSubject.sessionStarted, sessionStarted(d, { occurredAt: clock.next() }))));
    const revocation = epochBumped([tv, phone], { occurredAt: clock.next() });
    await h.handler.handle(inbound(EventSubject.accountEpochBumped, revocation));
    const tvCut = report(EventSubject.deviceCut, tv, revocation.revocationId, clock.next());
    await h.handler.handle(tvCut);
    const phoneReconnect = report(EventSubject.deviceLoggedOutOnReconnect, phone, revocation.revocationId, clock.next());
    const tvAck = report(EventSubject.deviceLogoutAcknowledged, tv, revocation.revocationId, clock.next());
    // The same id in upper case is the same event.
    const shouted = { ...phoneReconnect, payload: { ...phoneReconnect.payload, eventId: phoneReconnect.payload.eventId.toUpperCase() } } as InboundEvent;

    expect(await h.handler.handleBatch([tvCut, phoneReconnect, tvAck, phoneReconnect, shouted, tvAck])).toBe(2);
    expect(await h.handler.handleBatch([phoneReconnect, tvAck, tvCut])).toBe(0);

    const reply = await progress(tv.accountId, revocation.revocationId);
    expect(byDevice(reply)).toEqual({
      [tv.deviceId]: { state: 'acknowledged', at: tvAck.payload.occurredAt },
      [phone.deviceId]: { state: 'logged_out_on_reconnect', at: phoneReconnect.payload.occurredAt },
    });
    expect(reply.completedAt).toBe(tvAck.payload.occurredAt);
    expect((await history(phone)).entries.map((e) => e.kind)).toEqual(['logged_out_on_reconnect', 'revocation', 'signed_in']);
  });

  it('applies a batch spanning several revocations, completing each that has no device left pending', async () => {
    const clock = testClock();
    const accounts = Array.from({ length: 4 }, () => {
      const a = signedInDevice();
      return [a, signedInDevice({ accountId: a.accountId }), signedInDevice({ accountId: a.accountId })];
    });
    const revocations = accounts.map((devices) => epochBumped(devices, { occurredAt: clock.next() }));
    // Revocations in one batch too (the SECURITY consumer's), before any report.
    expect(await h.handler.handleBatch(revocations.map((r) => inbound(EventSubject.accountEpochBumped, r)))).toBe(4);
    const stranger = signedInDevice();
    const foreignAt = clock.next();

    // Account 0: all devices cut. Account 1: one device left pending. Account 2: cut and
    // acknowledged, interleaved with the others. Account 3: only a report that names another
    // account (ignored), so still all pending.
    const batch: InboundEvent[] = [];
    const at: string[] = [];
    const add = (kind: ReportKind, device: SignedInDevice, i: number) => {
      at.push(clock.next());
      batch.push(report(kind, device, revocations[i].revocationId, at[at.length - 1]));
    };
    for (const d of accounts[2]) add(EventSubject.deviceCut, d, 2);
    for (const d of accounts[0]) add(EventSubject.deviceCut, d, 0);
    add(EventSubject.deviceCut, accounts[1][0], 1);
    batch.push(report(EventSubject.deviceCut, { ...stranger, deviceId: accounts[3][0].deviceId }, revocations[3].revocationId, foreignAt));
    for (const d of accounts[2]) add(EventSubject.deviceLogoutAcknowledged, d, 2);
    add(EventSubject.deviceLogoutAcknowledged, accounts[1][1], 1);

    expect(await h.handler.handleBatch(batch)).toBe(batch.length);

    const replies = await Promise.all(accounts.map((devices, i) => progress(devices[0].accountId, revocations[i].revocationId)));
    expect(replies.map((r) => r.devices.map((d) => d.state).sort())).toEqual([
      ['cut', 'cut', 'cut'],
      ['acknowledged', 'cut', 'pending'],
      ['acknowledged', 'acknowledged', 'acknowledged'],
      ['pending', 'pending', 'pending'],
    ]);
    expect(replies[0].completedAt).toBe(at[5]);
    expect(replies[1].completedAt).toBeNull();
    expect(replies[2].completedAt).toBe(at[at.length - 2]);
    expect(replies[3].completedAt).toBeNull();
  });

  it('keeps sign-ins, revocations and reports of one batch in their order', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const phone = signedInDevice({ accountId: tv.accountId });
    const tvAgain = { ...tv, sessionId: randomUUID() };
    const [tvIn, phoneIn, firstAt, cutAt, everythingAt, againAt] = Array.from({ length: 6 }, () => clock.next());
    const first = sessionRevoked([tv], { occurredAt: firstAt, reason: 'logout' });
    const everything = epochBumped([tv, phone], { occurredAt: everythingAt });
    const events = [
      inbound(EventSubject.sessionStarted, sessionStarted(tv, { occurredAt: tvIn })),
      inbound(EventSubject.sessionStarted, sessionStarted(phone, { occurredAt: phoneIn })),
      // A cut overtaking its revocation, within the batch.
      report(EventSubject.deviceCut, tv, first.revocationId, cutAt),
      inbound(EventSubject.sessionRevoked, first),
      inbound(EventSubject.accountEpochBumped, everything),
      // The TV signs in again afterwards: its new session stays signed in.
      inbound(EventSubject.sessionStarted, sessionStarted(tvAgain, { occurredAt: againAt })),
    ];

    expect(await h.handler.handleBatch(events)).toBe(events.length);

    expect(await progress(tv.accountId, first.revocationId)).toMatchObject({ completedAt: cutAt, devices: [{ state: 'cut', at: cutAt }] });
    expect((await progress(tv.accountId, everything.revocationId)).completedAt).toBeNull();
    const { devices } = await h.rpc.call(RpcSubject.listDevices, { accountId: tv.accountId });
    expect(Object.fromEntries(devices.map((d) => [d.deviceId, d.status]))).toEqual({ [tv.deviceId]: 'offline', [phone.deviceId]: 'logout_pending' });
    expect((await history(tv)).entries.map((e) => [e.kind, e.at])).toEqual([
      ['signed_in', againAt],
      ['revocation', everythingAt],
      ['revocation', firstAt],
      ['signed_in', tvIn],
    ]);
  });

  it('completes revocations when two replicas apply overlapping batches at once, in opposite orders, without deadlock', async () => {
    const revocations = Array.from({ length: 20 }, () => {
      const a = signedInDevice();
      const b = signedInDevice({ accountId: a.accountId });
      return { a, b, revocation: epochBumped([a, b]) };
    });
    await h.handler.handleBatch(revocations.map((r) => inbound(EventSubject.accountEpochBumped, r.revocation)));
    const reports = (device: 'a' | 'b') =>
      revocations.flatMap((r) => [
        inbound(EventSubject.deviceCut, deviceCut(r[device], { revocationId: r.revocation.revocationId })),
        inbound(EventSubject.deviceLogoutAcknowledged, logoutAcknowledged(r[device], { revocationId: r.revocation.revocationId })),
      ]);
    // Replica 1 gets the a-reports and half the b-reports, replica 2 the rest, reversed.
    const aReports = reports('a');
    const bReports = reports('b');
    const one = [...aReports, ...bReports.slice(0, 20)];
    const two = [...bReports.slice(20), ...aReports.slice(0, 10)].reverse();

    const applied = await Promise.all([h.handler.handleBatch(one), h.handler.handleBatch(two)]);

    // The ten a-reports handed to both replicas are applied by one of them only.
    expect(applied[0] + applied[1]).toBe(80);
    for (const { a, revocation } of revocations) {
      const reply = await progress(a.accountId, revocation.revocationId);
      expect(reply.completedAt).not.toBeNull();
      expect(reply.devices.map((d) => d.state)).toEqual(['acknowledged', 'acknowledged']);
    }
  });

  it('ignores, within a batch, a report naming another account than its revocation’s', async () => {
    const tv = signedInDevice();
    const revocation = sessionRevoked([tv]);
    await h.handler.handle(inbound(EventSubject.sessionRevoked, revocation));
    const foreign: DeviceProgressEvent = deviceCut({ ...tv, accountId: randomUUID() }, { revocationId: revocation.revocationId });

    expect(await h.handler.handleBatch([inbound(EventSubject.deviceCut, foreign)])).toBe(1);

    expect(byDevice(await progress(tv.accountId, revocation.revocationId))).toEqual({ [tv.deviceId]: { state: 'pending', at: revocation.occurredAt } });
  });
});
