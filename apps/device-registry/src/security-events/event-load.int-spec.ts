import { AccountEpochBumpedV1, EventMap, EventSubject, RpcSubject, Stream } from '@signoff/contracts';
import { connectNats, EventPublisher, NatsNamespace } from '@signoff/messaging';
import { expectEventually } from '@signoff/testing';
import { JetStreamManager, NatsConnection, PubAck } from 'nats';
import { Database } from '../core/database';
import { deviceCut, epochBumped, logoutAcknowledged, sessionStarted, SignedInDevice, signedInDevice } from '../testing/event-factories';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';
import { REGISTRY_CONSUMERS } from './security-events.consumer';

type Publish = { [K in keyof EventMap]: { subject: K; payload: EventMap[K] } }[keyof EventMap];
type ProgressPublish = Extract<Publish, { subject: typeof EventSubject.deviceCut | typeof EventSubject.deviceLogoutAcknowledged }>;
interface Counts {
  /** Statements through `Database` (BEGIN and COMMIT come on top: two per transaction). */
  statements: number;
  transactions: number;
  ms: number;
}

/**
 * The registry under a burst like the benchmark's revoke window: many revocations of five
 * devices each, then a cut and an acknowledgement per device, published all at once or at the
 * benchmark's pace. Counts the SQL statements and transactions the registry spends on them (the
 * point of consuming in batches: this is bookkeeping, and its Postgres load competes with the
 * revocations themselves).
 */
describe('device-registry: a burst of revocations and progress reports (integration)', () => {
  const ACCOUNTS = 100;
  const DEVICES_PER_ACCOUNT = 5;
  let h: RegistryHarness;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: EventPublisher;
  let namespace: NatsNamespace;

  beforeAll(async () => {
    h = await startRegistryHarness();
    nc = await connectNats(h.config.NATS_URL, 'device-registry-load-test');
    jsm = await nc.jetstreamManager();
    namespace = new NatsNamespace(h.config.NATS_NAMESPACE);
    publisher = new EventPublisher(nc.jetstream(), namespace);
  });

  afterAll(async () => {
    await nc?.close();
    await h?.close();
  });

  /** Publishes all at once (as many gateways would), resolves with the highest sequence. */
  async function publishAll(events: Publish[]): Promise<number> {
    const acks: PubAck[] = [];
    for (let i = 0; i < events.length; i += 200) {
      acks.push(...(await Promise.all(events.slice(i, i + 200).map((e) => publisher.publish(e.subject, e.payload as never)))));
    }
    return Math.max(...acks.map((a) => a.seq));
  }

  async function consumed(stream: typeof Stream.security | typeof Stream.progress, seq: number): Promise<void> {
    const durableName = REGISTRY_CONSUMERS.find((c) => c.stream === stream)?.durableName ?? '';
    await expectEventually(
      async () => {
        const info = await jsm.consumers.info(namespace.streamName(stream), durableName);
        expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(seq);
        expect(info.num_ack_pending).toBe(0);
      },
      { timeoutMs: 60_000, intervalMs: 25 },
    );
  }

  /** Counts what the registry sends to Postgres while `work` runs. */
  async function counting(work: () => Promise<void>): Promise<Counts> {
    const db = h.app.get(Database);
    const rows = jest.spyOn(db, 'rows');
    const transaction = jest.spyOn(db, 'transaction');
    const started = performance.now();
    try {
      await work();
      return { statements: rows.mock.calls.length, transactions: transaction.mock.calls.length, ms: Math.round(performance.now() - started) };
    } finally {
      rows.mockRestore();
      transaction.mockRestore();
    }
  }

  /** Accounts of five signed-in devices, their revocations applied; the reports that follow. */
  async function revokedAccounts(): Promise<{ accounts: SignedInDevice[][]; revocations: AccountEpochBumpedV1[]; security: Counts; reports: ProgressPublish[] }> {
    const accounts: SignedInDevice[][] = Array.from({ length: ACCOUNTS }, () => {
      const first = signedInDevice();
      return [first, ...Array.from({ length: DEVICES_PER_ACCOUNT - 1 }, () => signedInDevice({ accountId: first.accountId }))];
    });
    await consumed(Stream.security, await publishAll(accounts.flat().map((d) => ({ subject: EventSubject.sessionStarted, payload: sessionStarted(d) }))));
    const revocations = accounts.map((account) => epochBumped(account));
    const security = await counting(async () => {
      await consumed(Stream.security, await publishAll(revocations.map((r) => ({ subject: EventSubject.accountEpochBumped, payload: r }))));
    });
    // Per device a cut, then (from the device, a moment later) its acknowledgement.
    const reports = accounts.flatMap((account, i) =>
      account.flatMap((d): ProgressPublish[] => [
        { subject: EventSubject.deviceCut, payload: deviceCut(d, { revocationId: revocations[i].revocationId }) },
        { subject: EventSubject.deviceLogoutAcknowledged, payload: logoutAcknowledged(d, { revocationId: revocations[i].revocationId }) },
      ]),
    );
    return { accounts, revocations, security, reports };
  }

  async function expectAllAcknowledged(accounts: SignedInDevice[][], revocations: AccountEpochBumpedV1[]): Promise<void> {
    for (const [i, account] of accounts.entries()) {
      const reply = await h.rpc.call(RpcSubject.getRevocationProgress, { accountId: account[0].accountId, revocationId: revocations[i].revocationId });
      expect(reply.devices.map((d) => d.state)).toEqual(Array.from({ length: DEVICES_PER_ACCOUNT }, () => 'acknowledged'));
      expect(reply.completedAt).not.toBeNull();
    }
  }

  const per1000 = (c: Counts, events: number) => ({ events, ...c, statementsPer1000: Math.round((c.statements * 1000) / events), transactionsPer1000: Math.round((c.transactions * 1000) / events) });

  it(`applies ${ACCOUNTS} revocations and ${ACCOUNTS * DEVICES_PER_ACCOUNT * 2} progress reports published at once with far fewer statements than events`, async () => {
    const { accounts, revocations, security, reports } = await revokedAccounts();

    const progress = await counting(async () => {
      await consumed(Stream.progress, await publishAll(reports));
    });

    process.stdout.write(`event load (burst): ${JSON.stringify({ security: per1000(security, revocations.length), progress: per1000(progress, reports.length) })}\n`);
    await expectAllAcknowledged(accounts, revocations);
    expect(security.transactions).toBeLessThan(revocations.length / 4);
    expect(progress.statements).toBeLessThan(reports.length);
    expect(progress.transactions).toBeLessThan(reports.length / 4);
  });

  it('applies progress reports arriving at about 1,000 a second (the benchmark’s pace) in fewer statements than one-by-one', async () => {
    const { accounts, revocations, reports } = await revokedAccounts();

    const progress = await counting(async () => {
      let last = 0;
      for (let i = 0; i < reports.length; i += 20) {
        const slice = reports.slice(i, i + 20);
        const [seq] = await Promise.all([publishAll(slice), new Promise((resolve) => setTimeout(resolve, 20))]);
        last = Math.max(last, seq);
      }
      await consumed(Stream.progress, last);
    });

    process.stdout.write(`event load (paced): ${JSON.stringify({ progress: per1000(progress, reports.length) })}\n`);
    await expectAllAcknowledged(accounts, revocations);
    // One-by-one took 7 statements in a transaction of its own per report.
    expect(progress.statements).toBeLessThan(reports.length * 5);
    expect(progress.transactions).toBeLessThan(reports.length);
  });
});
