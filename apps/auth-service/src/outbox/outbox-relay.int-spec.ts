import { randomUUID } from 'node:crypto';
import { EventSubject, SessionRevokedV1, Stream } from '@signoff/contracts';
import { connectNats, ensureStream, EventPublisher, NatsNamespace, OutboxRelay, OutboxWriter } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';
import { cleanupNamespace, expectEventually, startNatsServer, TestDatabase, uniqueNamespace } from '@signoff/testing';
import { connect, JetStreamClient, NatsConnection, PubAck } from 'nats';
import { DataSource } from 'typeorm';
import { createAuthDataSource } from '../database/auth-data-source';
import { createAuthTestDatabase, dropWhenIdle } from '../testing/auth-test-harness';

/** Publishes for real and remembers every acknowledgement, duplicates included. */
class RecordingPublisher extends EventPublisher {
  readonly acks: Array<{ eventId: string; ack: PubAck }> = [];

  constructor(js: JetStreamClient, namespace: NatsNamespace, timeoutMs?: number) {
    super(js, namespace, timeoutMs);
  }

  override async publishRaw(subject: string, payload: { eventId: string; revocationId?: string }): Promise<PubAck> {
    const ack = await super.publishRaw(subject, payload);
    this.acks.push({ eventId: payload.eventId, ack });
    return ack;
  }
}

const STREAM_SETTINGS = { replicas: 1 };

/**
 * The auth outbox table under the shared relay, through the faults SECURITY lists: a broker
 * that is down (rows wait, nothing is lost) and a relay that dies between publishing and
 * marking (published twice, stored once).
 */
describe('auth-service outbox relay', () => {
  let db: TestDatabase;
  let natsUrl: string;
  let dataSource: DataSource;
  let tx: TransactionContext;
  let nc: NatsConnection;
  const namespace = new NatsNamespace(uniqueNamespace());
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    ({ db, natsUrl } = await createAuthTestDatabase());
    dataSource = createAuthDataSource({ url: db.url, poolSize: 4, applicationName: 'auth-outbox-test' });
    await dataSource.initialize();
    tx = new TransactionContext(dataSource);
    nc = await connect({ servers: natsUrl, name: 'auth-outbox-test' });
    await ensureStream(await nc.jetstreamManager(), namespace, Stream.security, STREAM_SETTINGS);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await nc?.close();
    await dataSource?.destroy();
    if (db) await dropWhenIdle(db);
    await cleanupNamespace({ natsUrl, namespace: namespace.prefix });
  });

  function relayFor(publisher: EventPublisher, beforeMark?: (eventIds: string[]) => void): OutboxRelay {
    const relay = new OutboxRelay(dataSource, publisher, { pollIntervalMs: 50, batchSize: 100, beforeMark });
    relays.push(relay);
    return relay;
  }

  /** A revocation event committed to the outbox, as a revoke transaction leaves it. */
  async function revocationInOutbox(): Promise<SessionRevokedV1> {
    const event: SessionRevokedV1 = {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      revocationId: randomUUID(),
      accountId: randomUUID(),
      sessionIds: [randomUUID()],
      deviceIds: ['tv-1'],
      reason: 'sign_out_device',
    };
    await tx.run(() => new OutboxWriter(tx).add(EventSubject.sessionRevoked, event));
    return event;
  }

  async function outboxRow(eventId: string): Promise<{ published_at: Date | null; attempts: number; last_error: string | null }> {
    const rows: Array<{ published_at: Date | null; attempts: number; last_error: string | null }> = await dataSource.query(
      'SELECT published_at, attempts, last_error FROM auth.outbox WHERE event_id = $1',
      [eventId],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  /** How many messages of the real stream carry this event id. */
  async function storedCopies(eventId: string): Promise<number> {
    const jsm = await nc.jetstreamManager();
    const stream = namespace.streamName(Stream.security);
    const { state } = await jsm.streams.info(stream);
    let copies = 0;
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if ((JSON.parse(new TextDecoder().decode(message.data)) as { eventId: string }).eventId === eventId) copies++;
    }
    return copies;
  }

  it('keeps rows waiting while the broker is down, and a relay on a reachable broker publishes them once', async () => {
    const broker = await startNatsServer();
    const brokerConnection = await connectNats(broker.url, 'auth-outbox-test-doomed');
    try {
      await ensureStream(await brokerConnection.jetstreamManager(), namespace, Stream.security, STREAM_SETTINGS);
      await broker.kill();
      const event = await revocationInOutbox();
      relayFor(new EventPublisher(brokerConnection.jetstream(), namespace, 200)).start();

      // Several attempts have failed; the row is still there, unpublished, with the reason.
      await expectEventually(
        async () => {
          const row = await outboxRow(event.eventId);
          expect(row.published_at).toBeNull();
          expect(row.attempts).toBeGreaterThanOrEqual(2);
          expect(row.last_error).toEqual(expect.any(String));
        },
        { timeoutMs: 10_000 },
      );
      await Promise.all(relays.splice(0).map((relay) => relay.stop()));
      expect(await storedCopies(event.eventId)).toBe(0);

      // The broker is back (for this test: a relay on the shared, reachable broker).
      const publisher = new RecordingPublisher(nc.jetstream(), namespace);
      relayFor(publisher).start();
      await expectEventually(async () => expect((await outboxRow(event.eventId)).published_at).not.toBeNull());
      expect(publisher.acks.filter((a) => a.eventId === event.eventId)).toHaveLength(1);
      expect(await storedCopies(event.eventId)).toBe(1);
    } finally {
      await brokerConnection.close();
      await broker.dispose();
    }
  });

  it('publishes again after a crash between publish and mark; the stream stores one copy', async () => {
    const event = await revocationInOutbox();
    const publisher = new RecordingPublisher(nc.jetstream(), namespace);
    let crashed = false;
    relayFor(publisher, (eventIds) => {
      if (!crashed && eventIds.includes(event.eventId)) {
        crashed = true;
        throw new Error('relay died after publishing, before marking');
      }
    }).start();

    await expectEventually(async () => expect((await outboxRow(event.eventId)).published_at).not.toBeNull());
    expect(crashed).toBe(true);
    // Published twice; JetStream recognised the second by its Nats-Msg-Id.
    const acks = publisher.acks.filter((a) => a.eventId === event.eventId).map((a) => a.ack);
    expect(acks.map((ack) => ack.duplicate)).toEqual([false, true]);
    expect(acks[1].seq).toBe(acks[0].seq);
    expect(await storedCopies(event.eventId)).toBe(1);
    // The crashed pass rolled back; the row was marked once, by the second.
    expect((await outboxRow(event.eventId)).attempts).toBe(1);
  });
});
