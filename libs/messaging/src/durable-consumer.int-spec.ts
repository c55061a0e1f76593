import { randomUUID } from 'node:crypto';
import { DeviceCutV1, EventSubject, ParkedHeader, Stream } from '@signoff/contracts';
import { cleanupNamespace, expectEventually, testServers, uniqueNamespace } from '@signoff/testing';
import { connect, JetStreamManager, NatsConnection } from 'nats';
import { BatchOptions, DurableEventConsumer } from './durable-consumer';
import { EventPublisher } from './event-publisher';
import { InboundEvent } from './inbound-event';
import { NatsNamespace } from './nats-namespace';
import { ensureStream } from './streams';

describe('DurableEventConsumer (integration, real NATS)', () => {
  let natsUrl: string;
  let namespaceName: string;
  let namespace: NatsNamespace;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: EventPublisher;
  const consumers: DurableEventConsumer[] = [];

  beforeAll(async () => {
    natsUrl = (await testServers()).natsUrl;
    namespaceName = uniqueNamespace();
    namespace = new NatsNamespace(namespaceName);
    nc = await connect({ servers: natsUrl });
    jsm = await nc.jetstreamManager();
    publisher = new EventPublisher(nc.jetstream(), namespace);
  });

  // Each test on a stream of its own: the stream is deleted (with its consumers) afterwards.
  beforeEach(async () => {
    for (const stream of [Stream.progress, Stream.parked]) await ensureStream(jsm, namespace, stream, { replicas: 1 });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    for (const stream of [Stream.progress, Stream.parked]) await jsm.streams.delete(namespace.streamName(stream));
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await nc?.close();
    if (namespaceName) await cleanupNamespace({ natsUrl, namespace: namespaceName });
  });

  const cut = (): DeviceCutV1 => {
    const occurredAt = new Date().toISOString();
    return {
      eventId: randomUUID(),
      occurredAt,
      gatewayId: 'gw-1',
      devices: [{ revocationId: randomUUID(), accountId: randomUUID(), deviceId: `dev-${randomUUID().slice(0, 8)}`, sessionId: randomUUID(), occurredAt }],
    };
  };

  /** Publishes `count` events one after the other; resolves with their stream sequences. */
  async function publishCuts(count: number): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < count; i++) seqs.push((await publisher.publish(EventSubject.deviceCut, cut())).seq);
    return seqs;
  }

  /** Starts a batch consumer; resolves with its durable name. */
  async function startBatchConsumer(
    batch: BatchOptions,
    handle: (events: InboundEvent[]) => Promise<void>,
    retryDelaysMs: readonly number[] = [1_000],
    maxDeliveries?: number,
  ): Promise<string> {
    const durableName = `batch-${randomUUID().slice(0, 8)}`;
    const consumer = new DurableEventConsumer(nc, namespace, { stream: Stream.progress, durableName, retryDelaysMs, maxDeliveries, batch }, handle);
    consumers.push(consumer);
    await consumer.start();
    return durableName;
  }

  async function consumerInfo(durableName: string) {
    return jsm.consumers.info(namespace.streamName(Stream.progress), durableName);
  }

  /** Waits until the consumer acknowledged everything up to `seq` and nothing is outstanding. */
  async function allAcknowledged(durableName: string, seq: number): Promise<void> {
    await expectEventually(
      async () => {
        const info = await consumerInfo(durableName);
        expect(info.ack_floor.stream_seq).toBe(seq);
        expect(info.num_ack_pending).toBe(0);
      },
      { timeoutMs: 10_000 },
    );
  }

  it('hands 250 stored messages over in a handful of batches, in stream order, each acknowledged once', async () => {
    const seqs = await publishCuts(250);
    const batches: number[][] = [];
    const durableName = await startBatchConsumer({ maxMessages: 256, maxWaitMs: 20 }, async (events) => {
      batches.push(events.map((e) => e.streamSequence));
    });

    await allAcknowledged(durableName, seqs[seqs.length - 1]);

    expect(batches.flat()).toEqual(seqs);
    expect(batches.length).toBeLessThanOrEqual(5);
    const info = await consumerInfo(durableName);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(250);
  });

  it('batches what piles up while the handler is busy, and never more than maxMessages', async () => {
    const batches: number[][] = [];
    const durableName = await startBatchConsumer({ maxMessages: 40, maxWaitMs: 2 }, async (events) => {
      batches.push(events.map((e) => e.streamSequence));
      await new Promise((resolve) => setTimeout(resolve, 20));
    });

    const seqs = (await Promise.all(Array.from({ length: 250 }, () => publisher.publish(EventSubject.deviceCut, cut())))).map((a) => a.seq).sort((a, b) => a - b);
    await allAcknowledged(durableName, seqs[seqs.length - 1]);

    expect(batches.flat()).toEqual(seqs);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(40);
    expect(batches.length).toBeLessThan(50);
  });

  it('handles a lone message within a few milliseconds of its arrival', async () => {
    let handledAt = 0;
    const durableName = await startBatchConsumer({ maxMessages: 256, maxWaitMs: 5 }, async () => {
      handledAt = performance.now();
    });
    // Let the consumer settle into waiting for messages.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const publishedAt = performance.now();
    const [seq] = await publishCuts(1);
    await allAcknowledged(durableName, seq);

    expect(handledAt).toBeGreaterThan(0);
    expect(handledAt - publishedAt).toBeLessThan(100);
  });

  it('redelivers a failed batch, each of its messages then in a batch of its own', async () => {
    const seqs = await publishCuts(10);
    const batches: Array<{ seqs: number[]; redelivered: boolean[] }> = [];
    let failures = 0;
    const durableName = await startBatchConsumer(
      { maxMessages: 256, maxWaitMs: 20 },
      async (events) => {
        batches.push({ seqs: events.map((e) => e.streamSequence), redelivered: events.map((e) => e.redelivered) });
        // The first batch fails; so does every attempt at message 4 until its third delivery.
        if (batches.length === 1 || (events.some((e) => e.streamSequence === seqs[3]) && ++failures < 3)) throw new Error('boom');
      },
      [50],
    );

    await allAcknowledged(durableName, seqs[seqs.length - 1]);

    expect(batches[0].seqs).toEqual(seqs);
    const retries = batches.slice(1);
    expect(retries.every((b) => b.seqs.length === 1 && b.redelivered[0])).toBe(true);
    // Every message was handled once more after the failed batch, message 4 twice more.
    expect([...new Set(retries.map((b) => b.seqs[0]))].sort((a, b) => a - b)).toEqual(seqs);
    expect(retries.filter((b) => b.seqs[0] === seqs[3])).toHaveLength(3);
    expect(retries).toHaveLength(seqs.length + 2);
  });

  /** What the PARKED stream holds: subject, reason, origin sequence and body of each message. */
  async function parked(): Promise<Array<{ subject: string; reason: string; sequence: number; consumer: string; body: string }>> {
    const name = namespace.streamName(Stream.parked);
    const { state } = await jsm.streams.info(name);
    const found = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(name, { seq });
      found.push({
        subject: m.header.get(ParkedHeader.subject),
        reason: m.header.get(ParkedHeader.reason),
        sequence: Number(m.header.get(ParkedHeader.streamSequence)),
        consumer: m.header.get(ParkedHeader.consumer),
        body: new TextDecoder().decode(m.data),
      });
    }
    return found;
  }

  it('parks a message whose handler keeps failing after its deliveries, with backoff, and goes on with the others', async () => {
    const seqs = await publishCuts(3);
    const attempts: Array<{ seq: number; at: number }> = [];
    const handled: number[] = [];
    const durableName = await startBatchConsumer(
      { maxMessages: 1, maxWaitMs: 0 },
      async ([event]) => {
        if (event.streamSequence === seqs[1]) {
          attempts.push({ seq: event.streamSequence, at: performance.now() });
          throw new Error('registry cannot apply this one');
        }
        handled.push(event.streamSequence);
      },
      [50, 150],
      4,
    );

    await allAcknowledged(durableName, seqs[2]);
    expect(handled).toEqual([seqs[0], seqs[2]]);
    await expectEventually(async () => expect(await parked()).toHaveLength(1));
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(145);
    expect(gaps[2]).toBeGreaterThanOrEqual(145);
    const [entry] = await parked();
    expect(entry).toMatchObject({ subject: EventSubject.deviceCut, sequence: seqs[1], consumer: durableName });
    expect(entry.reason).toMatch(/failed 4 times.*registry cannot apply this one/);
    expect(JSON.parse(entry.body).eventId).toBeDefined();
    const info = await jsm.consumers.info(namespace.streamName(Stream.progress), durableName);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('applies an event carrying a field this release has never heard of (a newer producer)', async () => {
    const event = { ...cut(), addedByANewerRelease: { region: 'eu-west' } };
    const ack = await nc.jetstream().publish(namespace.subject(EventSubject.deviceCut), JSON.stringify(event));
    const handled: InboundEvent[] = [];
    const durableName = await startBatchConsumer({ maxMessages: 256, maxWaitMs: 0 }, async (events) => {
      handled.push(...events);
    });
    await allAcknowledged(durableName, ack.seq);
    expect(handled).toHaveLength(1);
    expect(handled[0].payload).toMatchObject({ eventId: event.eventId, devices: [expect.objectContaining({ deviceId: event.devices[0].deviceId })] });
    expect(handled[0].payload).not.toHaveProperty('addedByANewerRelease');
    expect(await parked()).toEqual([]);
  });

  it('parks a malformed message and leaves it out of the batch', async () => {
    const before = await publishCuts(2);
    const malformed = await nc.jetstream().publish(namespace.subject(EventSubject.deviceCut), JSON.stringify({ eventId: 'not-a-uuid' }));
    const after = await publishCuts(2);
    const handled: number[] = [];
    const durableName = await startBatchConsumer({ maxMessages: 256, maxWaitMs: 20 }, async (events) => {
      handled.push(...events.map((e) => e.streamSequence));
    });

    await allAcknowledged(durableName, after[after.length - 1]);

    expect(handled).toEqual([...before, ...after]);
    expect(handled).not.toContain(malformed.seq);
    await expectEventually(async () => expect(await parked()).toEqual([expect.objectContaining({ sequence: malformed.seq, reason: expect.stringMatching(/^unreadable: .*eventId/) })]));
  });

  it('still hands events over one at a time without the batch option', async () => {
    const seqs = await publishCuts(5);
    const handled: number[] = [];
    const consumer = new DurableEventConsumer(nc, namespace, { stream: Stream.progress, durableName: 'one-by-one' }, async (event) => {
      handled.push(event.streamSequence);
    });
    consumers.push(consumer);
    await consumer.start();

    await allAcknowledged('one-by-one', seqs[seqs.length - 1]);
    expect(handled).toEqual(seqs);
  });

  it('rejects batch options it cannot honour', () => {
    const options = { stream: Stream.progress, durableName: 'invalid' };
    expect(() => new DurableEventConsumer(nc, namespace, { ...options, batch: { maxMessages: 0, maxWaitMs: 1 } }, async () => undefined)).toThrow(/maxMessages/);
    expect(() => new DurableEventConsumer(nc, namespace, { ...options, batch: { maxMessages: 1_000, maxWaitMs: 1 } }, async () => undefined)).toThrow(/maxMessages/);
    expect(() => new DurableEventConsumer(nc, namespace, { ...options, batch: { maxMessages: 10, maxWaitMs: -1 } }, async () => undefined)).toThrow(/maxWaitMs/);
  });
});
