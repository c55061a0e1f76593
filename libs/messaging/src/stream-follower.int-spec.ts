import { randomUUID } from 'node:crypto';
import { EventSubject, Stream } from '@signoff/contracts';
import { expectEventually, NatsCluster, startNatsCluster } from '@signoff/testing';
import { connect, NatsConnection } from 'nats';
import { EventPublisher } from './event-publisher';
import { NatsNamespace } from './nats-namespace';
import { ensureStream } from './streams';
import { StreamFollower } from './stream-follower';

describe('StreamFollower on a three-node cluster (integration)', () => {
  const namespace = new NatsNamespace('follower-spec');
  const stream = namespace.streamName(Stream.security);
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let follower: StreamFollower;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    nc = await connect({ servers: cluster.url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await ensureStream(await nc.jetstreamManager(), namespace, Stream.security, { replicas: 3 });
    await cluster.waitForStreamCurrent(stream, 3, 10_000);
  }, 30_000);

  afterAll(async () => {
    await follower?.stop();
    await nc?.close();
    await cluster?.dispose();
  }, 15_000);

  /** Publishes `count` revocations, retrying each (same event id: deduplicated) while the stream elects a leader. */
  async function publish(count: number): Promise<void> {
    const publisher = new EventPublisher(nc.jetstream(), namespace, 1_000);
    for (let i = 0; i < count; i++) {
      const event = { eventId: randomUUID(), occurredAt: new Date().toISOString(), revocationId: randomUUID(), accountId: randomUUID() };
      const payload = { ...event, sessionIds: [randomUUID()], deviceIds: [], reason: 'sign_out_device' as const };
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await publisher.publish(EventSubject.sessionRevoked, payload);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
      }
    }
  }

  it('resumes (within about ten seconds on a loaded machine) when the node holding its consumer dies for good, and misses nothing', async () => {
    const seen: number[] = [];
    follower = new StreamFollower(nc, namespace, { stream: Stream.security, filterSubject: 'security.>', consumerName: 'follower-spec' }, (e) =>
      seen.push(e.streamSequence),
    );
    await publish(10);
    await follower.start({ sequence: 1 });
    await follower.caughtUp();
    expect(seen).toHaveLength(10);

    const jsm = await nc.jetstreamManager();
    const [consumer] = await jsm.consumers.list(stream).next();
    const holder = cluster.node(consumer.cluster!.leader!);
    await holder.kill();
    const killed = Date.now();
    await publish(20);

    await expectEventually(() => expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1)), { timeoutMs: 20_000, intervalMs: 50 });
    const resumedMs = Date.now() - killed;
    await expectEventually(async () => expect(await follower.syncedWithStream()).toBe(true), { timeoutMs: 5_000, intervalMs: 100 });
    expect(follower.hasCaughtUp).toBe(true);
    expect(follower.position).toBe(30);
    const [replacement] = await jsm.consumers.list(stream).next();
    expect(replacement.cluster?.leader).not.toBe(holder.serverName);
    console.log(`consumer on ${holder.serverName} killed; the follower had everything ${resumedMs} ms later`);
  }, 45_000);
});
