import { EventSubject, Stream } from '@signoff/contracts';
import { NatsNamespace, StreamWatch } from '@signoff/messaging';
import { expectEventually } from '@signoff/testing';
import { NatsConnection } from 'nats';
import { NATS_CONNECTION } from '@signoff/platform';
import { randomUUID } from 'node:crypto';
import { GatewayTestModule, principal } from '../testing/gateway-test-module';
import { AppliedRevocation, RevocationFeed } from './revocation-feed.service';
import { SecurityEventsModule } from './security-events.module';

describe('RevocationFeed on real JetStream', () => {
  let gateway: GatewayTestModule;
  let feed: RevocationFeed;
  const before_ = principal();
  const bumped = principal({ epoch: 1 });
  const spared = principal({ accountId: bumped.accountId, epoch: 1 });
  const replayedRevocationId = randomUUID();

  beforeAll(async () => {
    // Revocations published before the gateway starts must be in its view when it is ready.
    gateway = await GatewayTestModule.start([SecurityEventsModule], async (g) => {
      await g.publish(EventSubject.sessionRevoked, {
        revocationId: replayedRevocationId,
        accountId: before_.accountId,
        sessionIds: [before_.sessionId],
        deviceIds: [before_.deviceId],
        reason: 'sign_out_device',
      });
    });
    feed = gateway.get(RevocationFeed);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('is current after start and has replayed what was published before', () => {
    expect(feed.isCurrent()).toBe(true);
    expect(feed.view.revocationFor(before_)).toBe(replayedRevocationId);
  });

  it('applies live epoch bumps, spares the excepted session, and tells listeners', async () => {
    const heard: AppliedRevocation[] = [];
    feed.onRevocation((r) => heard.push(r));
    const revocationId = randomUUID();
    await gateway.publish(EventSubject.accountEpochBumped, {
      revocationId,
      accountId: bumped.accountId,
      epoch: 2,
      exceptSessionId: spared.sessionId,
      sessionIds: [bumped.sessionId],
      deviceIds: [bumped.deviceId],
      reason: 'sign_out_all',
    });
    await expectEventually(() => expect(feed.view.revocationFor(bumped)).toBe(revocationId));
    expect(feed.view.revocationFor(spared)).toBeUndefined();
    expect(heard.map((r) => r.revocationId)).toEqual([revocationId]);
  });

  it('applies an event carrying fields this release has never heard of (a newer auth-service mid-upgrade)', async () => {
    const target = principal();
    const revocationId = randomUUID();
    const nc = gateway.app.get<NatsConnection>(NATS_CONNECTION);
    const namespace = gateway.app.get(NatsNamespace);
    const event = {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      revocationId,
      accountId: target.accountId,
      sessionIds: [target.sessionId],
      deviceIds: [target.deviceId],
      reason: 'sign_out_device',
      initiatedFrom: { country: 'NZ' },
      schemaMinor: 2,
    };
    await nc.jetstream().publish(namespace.subject(EventSubject.sessionRevoked), JSON.stringify(event));
    await expectEventually(() => expect(feed.view.revocationFor(target)).toBe(revocationId));
  });

  it('ignores an older epoch arriving late (no resurrection) and parks malformed events', async () => {
    const heard: AppliedRevocation[] = [];
    feed.onRevocation((r) => heard.push(r));
    const late = randomUUID();
    await gateway.publish(EventSubject.accountEpochBumped, {
      revocationId: late,
      accountId: bumped.accountId,
      epoch: 1,
      sessionIds: [],
      deviceIds: [],
      reason: 'sign_out_all',
    });
    // Garbage on the subject is dropped at the edge; the follower carries on.
    const nc = gateway.app.get<NatsConnection>(NATS_CONNECTION);
    const namespace = gateway.app.get(NatsNamespace);
    await nc.jetstream().publish(namespace.subject(EventSubject.sessionRevoked), 'not json');
    await nc.jetstream().publish(namespace.subject(EventSubject.sessionRevoked), JSON.stringify({ revocationId: 'x', sessionIds: 'all' }));
    const marker = principal();
    const markerRevocation = randomUUID();
    await gateway.publish(EventSubject.sessionRevoked, {
      revocationId: markerRevocation,
      accountId: marker.accountId,
      sessionIds: [marker.sessionId],
      deviceIds: [marker.deviceId],
      reason: 'logout',
    });
    await expectEventually(() => expect(feed.view.revocationFor(marker)).toBe(markerRevocation));
    expect(heard.map((r) => r.revocationId)).toEqual([markerRevocation]);
    expect(feed.view.revocationFor(spared)).toBeUndefined();
    expect(feed.isCurrent()).toBe(true);
    const jsm = await nc.jetstreamManager();
    await expectEventually(async () => {
      const parked = await jsm.streams.info(namespace.streamName(Stream.parked));
      expect(parked.state.messages).toBe(2);
    });
  });

  it('after the stream lost its data: follows the new stream from its start and takes what it lacks from auth-service', async () => {
    const nc = gateway.app.get<NatsConnection>(NATS_CONNECTION);
    const namespace = gateway.app.get(NatsNamespace);
    const jsm = await nc.jetstreamManager();
    const watch = gateway.get(StreamWatch);
    const streamName = namespace.streamName(Stream.security);
    const before = (await jsm.streams.info(streamName)).state.last_seq;
    expect(feed.streamPosition).toBe(before);

    // The broker's store is lost: the stream goes, and comes back empty (first sequence 1).
    await jsm.streams.delete(streamName);
    const onlyInRecord = principal();
    const recordedRevocation = randomUUID();
    gateway.authRecord.events.push({
      subject: EventSubject.sessionRevoked,
      payload: {
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        revocationId: recordedRevocation,
        accountId: onlyInRecord.accountId,
        sessionIds: [onlyInRecord.sessionId],
        deviceIds: [onlyInRecord.deviceId],
        reason: 'sign_out_all',
      },
    });
    const requestsBefore = gateway.authRecord.requests;
    await watch.checkNow();
    expect(feed.isCurrent()).toBe(false);

    // Published to the new stream at sequences the old one had already passed.
    const after = principal();
    const afterRevocation = randomUUID();
    await gateway.publish(EventSubject.sessionRevoked, {
      revocationId: afterRevocation,
      accountId: after.accountId,
      sessionIds: [after.sessionId],
      deviceIds: [after.deviceId],
      reason: 'logout',
    });
    expect((await jsm.streams.info(streamName)).state.last_seq).toBeLessThan(before);

    await expectEventually(() => {
      expect(feed.view.revocationFor(after)).toBe(afterRevocation);
      expect(feed.view.revocationFor(onlyInRecord)).toBe(recordedRevocation);
      expect(feed.isCurrent()).toBe(true);
    });
    expect(gateway.authRecord.requests).toBeGreaterThan(requestsBefore);
    // What the view held before the loss is still refused.
    expect(feed.view.revocationFor(before_)).toBe(replayedRevocationId);
  });
});
