import { randomUUID } from 'node:crypto';
import { RpcSubject } from '@signoff/contracts';
import { sessionStarted, signedInDevice, SignedInDevice, testClock } from '../testing/event-factories';
import { RegistryHarness, startRegistryHarness } from '../testing/registry-test-harness';

/** Addresses and what the packaged GeoIP data (DB-IP IP to City Lite) says about them. */
const MOUNTAIN_VIEW = { ip: '8.8.8.8', location: { country: 'US', region: 'California', city: 'Mountain View' } };
const SYDNEY = { ip: '1.1.1.1', location: { country: 'AU', region: 'New South Wales', city: 'Sydney' } };
const NOWHERE = { country: null, region: null, city: null };
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36';
const NO_OS = { os: undefined, appVersion: undefined };

describe('device-registry: what a sign-in tells about its device (integration)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const deviceOf = async (d: SignedInDevice) => (await h.rpc.call(RpcSubject.listDevices, { accountId: d.accountId })).devices.find((x) => x.deviceId === d.deviceId);
  const historyOf = async (d: SignedInDevice) => (await h.rpc.call(RpcSubject.getDeviceHistory, { accountId: d.accountId, deviceId: d.deviceId })).entries;

  it('places a public address with the GeoIP data and reads OS and browser from the User-Agent', async () => {
    const phone = signedInDevice();
    await h.publish(
      'security.session.started.v1',
      sessionStarted(phone, { device: { type: 'phone', name: 'Pixel', ...NO_OS }, ip: MOUNTAIN_VIEW.ip, userAgent: ANDROID_CHROME }),
    );

    expect(await deviceOf(phone)).toMatchObject({ os: 'Android 14', appVersion: 'Chrome 126', location: MOUNTAIN_VIEW.location });
  });

  it('leaves a loopback address unplaced', async () => {
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv, { ip: '127.0.0.1' }));

    expect((await deviceOf(tv))?.location).toEqual(NOWHERE);
  });

  it('keeps what the device said over what its User-Agent shows, field by field', async () => {
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv, { device: { os: 'Tizen 8.0', appVersion: undefined }, userAgent: ANDROID_CHROME }));

    expect(await deviceOf(tv)).toMatchObject({ os: 'Tizen 8.0', appVersion: 'Chrome 126' });
  });

  it('records a move between known places in the history, and nothing for the same place or an unplaced one', async () => {
    const clock = testClock();
    const phone = signedInDevice();
    const signIn = (ip: string) =>
      h.publish('security.session.started.v1', sessionStarted({ ...phone, sessionId: randomUUID() }, { occurredAt: clock.next(), ip }));
    await signIn(MOUNTAIN_VIEW.ip);
    await signIn(MOUNTAIN_VIEW.ip);
    const movedAt = clock.next();
    await h.publish('security.session.started.v1', sessionStarted({ ...phone, sessionId: randomUUID() }, { occurredAt: movedAt, ip: SYDNEY.ip }));

    expect((await deviceOf(phone))?.location).toEqual(SYDNEY.location);
    const moves = (await historyOf(phone)).filter((e) => e.kind === 'location_changed');
    expect(moves).toEqual([
      expect.objectContaining({ at: movedAt, detail: 'Mountain View, California, US → Sydney, New South Wales, AU' }),
    ]);

    // From a private address the place becomes unknown (it follows the address): not a move.
    await signIn('192.168.1.20');
    expect((await deviceOf(phone))?.location).toEqual(NOWHERE);
    expect((await historyOf(phone)).filter((e) => e.kind === 'location_changed')).toHaveLength(1);
  });

  it('keeps the last place for a sign-in that carries no address, and ignores a late, older sign-in', async () => {
    const clock = testClock();
    const tv = signedInDevice();
    const early = clock.next();
    await h.publish('security.session.started.v1', sessionStarted(tv, { occurredAt: clock.next(), ip: SYDNEY.ip }));
    await h.publish('security.session.started.v1', sessionStarted({ ...tv, sessionId: randomUUID() }, { occurredAt: clock.next(), ip: undefined }));
    expect((await deviceOf(tv))?.location).toEqual(SYDNEY.location);

    await h.publish('security.session.started.v1', sessionStarted({ ...tv, sessionId: randomUUID() }, { occurredAt: early, ip: MOUNTAIN_VIEW.ip }));

    expect((await deviceOf(tv))?.location).toEqual(SYDNEY.location);
    expect((await historyOf(tv)).map((e) => e.kind)).not.toContain('location_changed');
  });
});

describe('device-registry with GeoIP switched off (GEOIP_DATABASE_PATH empty)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await startRegistryHarness({ env: { GEOIP_DATABASE_PATH: '' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('leaves every location unknown', async () => {
    const tv = signedInDevice();
    await h.publish('security.session.started.v1', sessionStarted(tv, { ip: MOUNTAIN_VIEW.ip }));

    const { devices } = await h.rpc.call(RpcSubject.listDevices, { accountId: tv.accountId });
    expect(devices[0].location).toEqual(NOWHERE);
  });
});
