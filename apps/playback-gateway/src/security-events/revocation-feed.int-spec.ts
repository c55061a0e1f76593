import { EventSubject } from '@signoff/contracts';
import { NatsNamespace } from '@signoff/messaging';
import { expectEventually } from '@signoff/testing';
import { NatsConnection } from 'nats';
import { NATS_CONNECTION, NATS_NAMESPACE } from '../infrastructure/tokens';
import { randomUUID } from 'node:crypto';
import { GatewayTestModule, principal } from '../testing/gateway-test-module';
import { AppliedRevocation, RevocationFeed } from './revocation-feed.service';
import { SecurityEventsModule } from './security-events.module';

describe('RevocationFeed on real JetStream', () => {
  let gateway: GatewayTestModule;
  let feed: RevocationFeed;
  const before = principal();
  const bumped = principal({ epoch: 1 });
  const spared = principal({ accountId: bumped.accountId, epoch: 1 });
  const replayedRevocationId = randomUUID();

  beforeAll(async () => {
    // Revocations published before the gateway starts must be in its view when it is ready.
    gateway = await GatewayTestModule.start([SecurityEventsModule], async (g) => {
      await g.publish(EventSubject.sessionRevoked, {
        revocationId: replayedRevocationId,
        accountId: before.accountId,
        sessionIds: [before.sessionId],
        deviceIds: [before.deviceId],
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
    expect(feed.view.revocationFor(before)).toBe(replayedRevocationId);
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

  it('ignores an older epoch arriving late (no resurrection) and malformed events', async () => {
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
    const namespace = gateway.app.get<NatsNamespace>(NATS_NAMESPACE);
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
  });
});
