import { randomUUID } from 'node:crypto';
import { EventSubject, RevocationProgressReply, RpcSubject, SignoffError } from '@signoff/contracts';
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

describe('device-registry: revocation progress (integration)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const progress = (accountId: string, revocationId: string) => h.rpc.call(RpcSubject.getRevocationProgress, { accountId, revocationId });
  const states = (reply: RevocationProgressReply) => Object.fromEntries(reply.devices.map((d) => [d.deviceId, d.state]));
  const history = (d: SignedInDevice) => h.rpc.call(RpcSubject.getDeviceHistory, { accountId: d.accountId, deviceId: d.deviceId });

  async function signIn(devices: Array<{ device: SignedInDevice; name: string }>, at: () => string): Promise<void> {
    for (const { device, name } of devices) {
      await h.publish(EventSubject.sessionStarted, sessionStarted(device, { occurredAt: at(), device: { name } }));
    }
  }

  it('follows an epoch bump over three devices to completion, device by device', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const phone = signedInDevice({ accountId: tv.accountId });
    const tablet = signedInDevice({ accountId: tv.accountId });
    await signIn([{ device: tv, name: 'TV' }, { device: phone, name: 'Phone' }, { device: tablet, name: 'Tablet' }], clock.next);
    const requestedAt = clock.next();
    const revocation = epochBumped([tv, phone, tablet], { occurredAt: requestedAt });
    const { revocationId, accountId } = revocation;

    await h.publish(EventSubject.accountEpochBumped, revocation);
    expect(await progress(accountId, revocationId)).toEqual({
      revocationId,
      scope: 'all_devices',
      requestedAt,
      completedAt: null,
      devices: [
        { deviceId: phone.deviceId, name: 'Phone', state: 'pending', at: requestedAt },
        { deviceId: tablet.deviceId, name: 'Tablet', state: 'pending', at: requestedAt },
        { deviceId: tv.deviceId, name: 'TV', state: 'pending', at: requestedAt },
      ],
    });

    const cutAt = clock.next();
    await h.publish(EventSubject.deviceCut, deviceCut(tv, { revocationId, occurredAt: cutAt }));
    await h.publish(EventSubject.deviceLoggedOutOnReconnect, loggedOutOnReconnect(phone, { revocationId, occurredAt: clock.next() }));
    const ackAt = clock.next();
    await h.publish(EventSubject.deviceLogoutAcknowledged, logoutAcknowledged(tv, { revocationId, occurredAt: ackAt }));

    const midway = await progress(accountId, revocationId);
    expect(states(midway)).toEqual({ [tv.deviceId]: 'acknowledged', [phone.deviceId]: 'logged_out_on_reconnect', [tablet.deviceId]: 'pending' });
    expect(midway.devices.find((d) => d.deviceId === tv.deviceId)?.at).toBe(ackAt);
    expect(midway.completedAt).toBeNull();

    const lastCutAt = clock.next();
    await h.publish(EventSubject.deviceCut, deviceCut(tablet, { revocationId, occurredAt: lastCutAt }));

    const done = await progress(accountId, revocationId);
    expect(states(done)).toEqual({ [tv.deviceId]: 'acknowledged', [phone.deviceId]: 'logged_out_on_reconnect', [tablet.deviceId]: 'cut' });
    expect(done.completedAt).toBe(lastCutAt);
    const { devices } = await h.rpc.call(RpcSubject.listDevices, { accountId });
    expect(devices.map((d) => d.status)).toEqual(['signed_out', 'signed_out', 'signed_out']);
    expect((await history(phone)).entries[0]).toMatchObject({ kind: 'logged_out_on_reconnect', revocationId });
  });

  it('keeps a cut that arrived before its revocation event', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    await signIn([{ device: tv, name: 'TV' }], clock.next);
    const revocation = sessionRevoked([tv], { occurredAt: clock.next() });
    const cutAt = clock.next();

    await h.publish(EventSubject.deviceCut, deviceCut(tv, { revocationId: revocation.revocationId, occurredAt: cutAt }));
    await expect(progress(tv.accountId, revocation.revocationId)).rejects.toMatchObject({ code: 'REVOCATION_NOT_FOUND' });
    await h.publish(EventSubject.sessionRevoked, revocation);

    expect(await progress(tv.accountId, revocation.revocationId)).toEqual({
      revocationId: revocation.revocationId,
      scope: 'device',
      requestedAt: revocation.occurredAt,
      completedAt: cutAt,
      devices: [{ deviceId: tv.deviceId, name: 'TV', state: 'cut', at: cutAt }],
    });
  });

  it('reports a "Don\'t recognise this device?" sign-out with the scope auth-service recorded: device', async () => {
    const clock = testClock();
    const tablet = signedInDevice();
    await signIn([{ device: tablet, name: 'Tablet' }], clock.next);
    const revocation = sessionRevoked([tablet], { reason: 'device_not_recognised', occurredAt: clock.next() });
    await h.publish(EventSubject.sessionRevoked, revocation);
    expect(await progress(tablet.accountId, revocation.revocationId)).toMatchObject({ scope: 'device', devices: [{ deviceId: tablet.deviceId, state: 'pending' }] });
  });

  it('takes the scope the event carries over the one derived from its reason', async () => {
    const clock = testClock();
    const laptop = signedInDevice();
    await signIn([{ device: laptop, name: 'Laptop' }], clock.next);
    // A reason that alone would say `session`; auth-service recorded `device`, and said so.
    const revocation = sessionRevoked([laptop], { reason: 'logout', scope: 'device', occurredAt: clock.next() });
    await h.publish(EventSubject.sessionRevoked, revocation);
    expect(await progress(laptop.accountId, revocation.revocationId)).toMatchObject({ scope: 'device' });
  });

  it('never moves a device back: an acknowledgement followed by a late cut stays acknowledged', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    await signIn([{ device: tv, name: 'TV' }], clock.next);
    const revocation = sessionRevoked([tv], { reason: 'logout', occurredAt: clock.next() });
    await h.publish(EventSubject.sessionRevoked, revocation);
    const ackAt = clock.next();

    await h.publish(EventSubject.deviceLogoutAcknowledged, logoutAcknowledged(tv, { revocationId: revocation.revocationId, occurredAt: ackAt }));
    await h.publish(EventSubject.deviceCut, deviceCut(tv, { revocationId: revocation.revocationId, occurredAt: clock.next() }));
    await h.publish(EventSubject.deviceLoggedOutOnReconnect, loggedOutOnReconnect(tv, { revocationId: revocation.revocationId, occurredAt: clock.next() }));

    const reply = await progress(tv.accountId, revocation.revocationId);
    expect(reply.scope).toBe('session');
    expect(reply.devices).toEqual([{ deviceId: tv.deviceId, name: 'TV', state: 'acknowledged', at: ackAt }]);
    expect(reply.completedAt).not.toBeNull();
  });

  it('completes a revocation that lists no devices at once', async () => {
    const accountId = randomUUID();
    const revocation = epochBumped([], { accountId });

    await h.publish(EventSubject.accountEpochBumped, revocation);

    expect(await progress(accountId, revocation.revocationId)).toMatchObject({ devices: [], completedAt: revocation.occurredAt });
  });

  it('leaves out the device that asked to stay signed in', async () => {
    const clock = testClock();
    const caller = signedInDevice();
    const other = signedInDevice({ accountId: caller.accountId });
    await signIn([{ device: caller, name: 'Laptop' }, { device: other, name: 'TV' }], clock.next);
    const revocation = epochBumped([caller, other], { exceptSessionId: caller.sessionId, occurredAt: clock.next() });

    await h.publish(EventSubject.accountEpochBumped, revocation);

    expect(states(await progress(caller.accountId, revocation.revocationId))).toEqual({ [other.deviceId]: 'pending' });
    const { devices } = await h.rpc.call(RpcSubject.listDevices, { accountId: caller.accountId, currentDeviceId: caller.deviceId });
    expect(devices.find((d) => d.current)?.status).toBe('offline');
  });

  it('answers REVOCATION_NOT_FOUND alike for another account’s revocation and for an unknown id', async () => {
    const tv = signedInDevice();
    await h.publish(EventSubject.sessionStarted, sessionStarted(tv));
    const revocation = epochBumped([tv]);
    await h.publish(EventSubject.accountEpochBumped, revocation);

    const foreign = await progress(randomUUID(), revocation.revocationId).catch((error: unknown) => error);
    const unknown = await progress(tv.accountId, randomUUID()).catch((error: unknown) => error);

    expect(foreign).toBeInstanceOf(SignoffError);
    expect(foreign).toMatchObject({ code: 'REVOCATION_NOT_FOUND' });
    expect((foreign as SignoffError).toWire()).toEqual((unknown as SignoffError).toWire());
  });

  it('ignores a progress report that names another account than the revocation’s', async () => {
    const tv = signedInDevice();
    await h.publish(EventSubject.sessionStarted, sessionStarted(tv));
    const revocation = sessionRevoked([tv]);
    await h.publish(EventSubject.sessionRevoked, revocation);

    await h.publish(EventSubject.deviceCut, deviceCut({ ...tv, accountId: randomUUID() }, { revocationId: revocation.revocationId }));

    expect(states(await progress(tv.accountId, revocation.revocationId))).toEqual({ [tv.deviceId]: 'pending' });
  });

  it('completes a revocation whose last two devices are reported at the same moment (two replicas)', async () => {
    // Ten revocations of two devices; both reports of each are handled concurrently, as two
    // replicas sharing the durable consumer would. Neither may conclude "the other is pending".
    const revocations = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const a = signedInDevice();
        const b = signedInDevice({ accountId: a.accountId });
        const revocation = epochBumped([a, b]);
        await h.handler.handle({ subject: EventSubject.accountEpochBumped, payload: revocation, streamSequence: 0, redelivered: false });
        return { a, b, revocation };
      }),
    );

    await Promise.all(
      revocations.flatMap(({ a, b, revocation }) =>
        [a, b].map((d) =>
          h.handler.handle({ subject: EventSubject.deviceCut, payload: deviceCut(d, { revocationId: revocation.revocationId }), streamSequence: 0, redelivered: false }),
        ),
      ),
    );

    for (const { a, revocation } of revocations) {
      expect((await progress(a.accountId, revocation.revocationId)).completedAt).not.toBeNull();
    }
  });

  it('applies every event once, however often it is delivered', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const phone = signedInDevice({ accountId: tv.accountId });
    const tvSignIn = sessionStarted(tv, { occurredAt: clock.next() });
    const phoneSignIn = sessionStarted(phone, { occurredAt: clock.next() });
    const revocation = epochBumped([tv, phone], { occurredAt: clock.next() });
    const { revocationId } = revocation;
    const tvCut = deviceCut(tv, { revocationId, occurredAt: clock.next() });
    const tvAck = logoutAcknowledged(tv, { revocationId, occurredAt: clock.next() });
    const phoneReconnect = loggedOutOnReconnect(phone, { revocationId, occurredAt: clock.next() });

    // Each event once, in order, then every one of them again (what JetStream may do after a
    // broker restart, acknowledged or not).
    await h.publish(EventSubject.sessionStarted, tvSignIn);
    await h.publish(EventSubject.sessionStarted, phoneSignIn);
    await h.publish(EventSubject.accountEpochBumped, revocation);
    await h.publish(EventSubject.deviceCut, tvCut);
    await h.publish(EventSubject.deviceLogoutAcknowledged, tvAck);
    await h.publish(EventSubject.deviceLoggedOutOnReconnect, phoneReconnect);
    const before = await progress(tv.accountId, revocationId);
    await h.redeliver(EventSubject.sessionStarted, tvSignIn);
    await h.redeliver(EventSubject.sessionStarted, phoneSignIn);
    await h.redeliver(EventSubject.accountEpochBumped, revocation);
    await h.redeliver(EventSubject.deviceCut, tvCut);
    await h.redeliver(EventSubject.deviceLogoutAcknowledged, tvAck);
    await h.redeliver(EventSubject.deviceLoggedOutOnReconnect, phoneReconnect);
    // And once more straight through the handler path.
    expect(await h.handler.handle({ subject: EventSubject.deviceCut, payload: tvCut, streamSequence: 0, redelivered: true })).toBe(false);
    expect(await h.handler.handle({ subject: EventSubject.accountEpochBumped, payload: revocation, streamSequence: 0, redelivered: true })).toBe(false);

    const after = await progress(tv.accountId, revocationId);
    expect(after).toEqual(before);
    expect(states(after)).toEqual({ [tv.deviceId]: 'acknowledged', [phone.deviceId]: 'logged_out_on_reconnect' });
    expect(after.completedAt).toBe(phoneReconnect.occurredAt);
    expect((await history(tv)).entries.map((e) => e.kind)).toEqual(['revocation', 'signed_in']);
    expect((await history(phone)).entries.map((e) => e.kind)).toEqual(['logged_out_on_reconnect', 'revocation', 'signed_in']);
    const { devices } = await h.rpc.call(RpcSubject.listDevices, { accountId: tv.accountId });
    expect(devices.map((d) => d.status)).toEqual(['signed_out', 'signed_out']);
  });
});
