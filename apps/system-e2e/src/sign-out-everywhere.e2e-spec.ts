import { DeviceClient, SignedOutEvent } from '@signoff/device-client';
import { expectEventually } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * The product's one job, end to end: five devices of one account spread over two gateways;
 * "sign out of all devices" after step-up reaches every one of them.
 */
describe('sign out of all devices (two gateways, five devices)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('cuts every connected device, refuses every old token on both gateways, and signs the offline one out when it returns', async () => {
    const holder = await stack.signUp('standard');
    const devices: Array<{ id: string; client: DeviceClient; gateway: number; connected: boolean; purged: number }> = [
      { gateway: 0, connected: true, id: 'tv-living-room', type: 'tv', name: 'Living room TV' },
      { gateway: 1, connected: true, id: 'phone-1', type: 'phone', name: "Sam's phone" },
      { gateway: 0, connected: true, id: 'tablet-1', type: 'tablet', name: 'Kitchen tablet' },
      { gateway: 1, connected: true, id: 'laptop-1', type: 'computer', name: 'Work laptop' },
      { gateway: 0, connected: false, id: 'console-1', type: 'console', name: 'Game console' },
    ].map((d) => {
      const entry = { id: d.id, gateway: d.gateway, connected: d.connected, purged: 0, client: undefined as unknown as DeviceClient };
      entry.client = stack.device(d.gateway, { id: d.id, type: d.type as 'tv', name: d.name }, { purgeDownloads: () => void entry.purged++ });
      return entry;
    });
    for (const d of devices) await d.client.signIn(holder.email, holder.password);
    const connected = devices.filter((d) => d.connected);
    await Promise.all(connected.map((d) => d.client.connect()));

    // Two streams on a standard plan: the third is refused, so the limit is really held.
    const tv = devices[0].client;
    const phone = devices[1].client;
    await tv.startPlayback('title-1');
    await phone.startPlayback('title-2');
    const third = await http(stack.gateway(0), 'POST', '/v1/playback/sessions', { token: devices[2].client.tokens?.accessToken, body: { titleId: 'title-3' } });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('STREAM_LIMIT_REACHED');

    // The device list shows all five with live status before anything happens.
    const before = await phone.request<{ devices: Array<{ deviceId: string; status: string; current: boolean }> }>('GET', '/v1/devices');
    expect(before.devices).toHaveLength(5);
    const statusOf = (list: { devices: Array<{ deviceId: string; status: string }> }, id: string) => list.devices.find((d) => d.deviceId === id)?.status;
    expect(statusOf(before, 'tv-living-room')).toBe('streaming');
    expect(statusOf(before, 'tablet-1')).toBe('online');
    expect(statusOf(before, 'console-1')).toBe('offline');
    expect(before.devices.find((d) => d.deviceId === 'phone-1')?.current).toBe(true);

    const oldTokens = devices.map((d) => d.client.tokens!.accessToken);
    const offlineRefreshToken = devices[4].client.tokens!.refreshToken;
    const signedOut = connected.map(
      (d) =>
        new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
          d.client.once('signed-out', (event) => void d.client.closed().then(({ code }) => resolve({ event, code })));
        }),
    );

    // Step-up with the password, then sign out of all devices (this phone included).
    const { revocationId } = await phone.signOutEverywhere(holder.password);
    const outcomes = await Promise.all(signedOut);

    for (const { event, code } of outcomes) {
      expect(event).toEqual({ revocationId, reason: 'sign_out_all', via: 'websocket' });
      expect(code).toBe(4001);
    }
    for (const d of connected) expect(d.purged).toBe(1);

    // Every old access token is refused on both gateways at once (no waiting).
    for (const token of oldTokens) {
      for (const gateway of [0, 1]) {
        const response = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token });
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('SESSION_REVOKED');
        expect(response.body.logout).toEqual({ revocationId, purgeDownloads: true });
      }
    }

    // The offline console comes back and refreshes: it is told to sign out and purge.
    const offline = await http(stack.gateway(0), 'POST', '/v1/auth/refresh', { body: { refreshToken: offlineRefreshToken } });
    expect(offline.status).toBe(401);
    expect(offline.body.error.code).toBe('SESSION_REVOKED');
    expect(offline.body.logout).toEqual({ revocationId, purgeDownloads: true });

    // The holder signs in again (the account and its password are intact) and follows progress.
    const laptop = stack.device(1, { id: 'new-laptop', type: 'computer', name: 'New laptop' });
    await laptop.signIn(holder.email, holder.password);
    const progress = await expectEventually(
      async () => {
        const p = await laptop.request<{ completedAt: string | null; scope: string; devices: Array<{ deviceId: string; state: string }> }>(
          'GET',
          `/v1/revocations/${revocationId}`,
        );
        expect(p.completedAt).not.toBeNull();
        return p;
      },
      { timeoutMs: 10_000 },
    );
    expect(progress.scope).toBe('all_devices');
    const stateOf = Object.fromEntries(progress.devices.map((d) => [d.deviceId, d.state]));
    expect(stateOf['console-1']).toBe('logged_out_on_reconnect');
    for (const d of connected) expect(['cut', 'acknowledged']).toContain(stateOf[d.id]);
    await expectEventually(async () => {
      const p = await laptop.request<{ devices: Array<{ state: string }> }>('GET', `/v1/revocations/${revocationId}`);
      expect(p.devices.filter((d) => d.state === 'acknowledged')).toHaveLength(connected.length);
    });

    // Nothing of the account was lost: profiles are there, the list shows every device signed out.
    const me = await laptop.request<{ account: { email: string; plan: string }; profiles: Array<{ name: string }> }>('GET', '/v1/me');
    expect(me.account).toMatchObject({ email: holder.email, plan: 'standard' });
    expect(me.profiles.length).toBeGreaterThanOrEqual(1);
    const after = await laptop.request<{ devices: Array<{ deviceId: string; status: string }> }>('GET', '/v1/devices');
    expect(after.devices).toHaveLength(6);
    for (const d of devices) expect(statusOf(after, d.id)).toBe('signed_out');

    // The stream places of the signed-out devices are free again at once.
    const stream1 = await laptop.startPlayback('title-4');
    const tablet = stack.device(0, { id: 'tablet-2', type: 'tablet', name: 'Tablet' });
    await tablet.signIn(holder.email, holder.password);
    await expect(tablet.startPlayback('title-5')).resolves.toHaveProperty('playbackId');
    expect(stream1.playbackId).toBeDefined();
  });

  it('refuses revoke-all without a valid reauth token, and revokes nothing', async () => {
    const holder = await stack.signUp();
    const tv = stack.device(0, { id: 'tv', type: 'tv', name: 'TV' });
    const phone = stack.device(1, { id: 'phone', type: 'phone', name: 'Phone' });
    await tv.signIn(holder.email, holder.password);
    await phone.signIn(holder.email, holder.password);
    const token = phone.tokens!.accessToken;

    const missing = await http(stack.gateway(1), 'POST', '/v1/sessions/revoke-all', { token, body: {} });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('REAUTH_REQUIRED');
    const forged = await http(stack.gateway(1), 'POST', '/v1/sessions/revoke-all', { token, body: {}, headers: { 'X-Reauth-Token': 'ra_forged' } });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('REAUTH_REQUIRED');
    const wrongPassword = await http(stack.gateway(1), 'POST', '/v1/auth/step-up', { token, body: { password: 'not-the-password' } });
    expect(wrongPassword.status).toBe(403);
    expect(wrongPassword.body.error.code).toBe('STEP_UP_FAILED');
    // A reauth token belongs to the session that asked for it.
    const { reauthToken } = await tv.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: holder.password });
    const otherSession = await http(stack.gateway(1), 'POST', '/v1/sessions/revoke-all', { token, body: {}, headers: { 'X-Reauth-Token': reauthToken } });
    expect(otherSession.status).toBe(401);
    expect(otherSession.body.error.code).toBe('REAUTH_REQUIRED');

    // Nothing was revoked: both devices still work and can refresh.
    for (const client of [tv, phone]) {
      await expect(client.whoami()).resolves.toMatchObject({ accountId: holder.accountId });
      await client.refresh();
      await expect(client.whoami()).resolves.toMatchObject({ accountId: holder.accountId });
    }
  });

  it('keeps the current device signed in when asked to (includeCurrent: false)', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const tvOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));
    const { revocationId } = await phone.signOutEverywhere(holder.password, false);
    expect((await tvOut).revocationId).toBe(revocationId);
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
    await phone.refresh();
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
  });

  it('signs out one device and shows its progress; a restarted gateway refuses its token on the first request', async () => {
    const { tv, phone } = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const tvToken = tv.tokens!.accessToken;
    const tvOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));

    const accepted = await http(stack.gateway(0), 'POST', '/v1/devices/tv/sign-out', { token: phone.tokens!.accessToken });
    expect(accepted.status).toBe(202);
    const { revocationId } = accepted.body as { revocationId: string };
    expect((await tvOut).revocationId).toBe(revocationId);
    await expectEventually(async () => {
      const p = await phone.request<{ scope: string; completedAt: string | null; devices: Array<{ deviceId: string; name: string; state: string }> }>(
        'GET',
        `/v1/revocations/${revocationId}`,
      );
      expect(p.scope).toBe('device');
      expect(p.devices).toEqual([expect.objectContaining({ deviceId: 'tv', name: 'TV', state: 'acknowledged' })]);
      expect(p.completedAt).not.toBeNull();
    });
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });

    // Restart the second gateway: its rebuilt view must refuse the TV's token on the very first request.
    const second = stack.stack.gateways[1].process;
    await second.stop();
    await second.start();
    const first = await http(stack.gateway(1), 'GET', '/v1/auth/whoami', { token: tvToken });
    expect(first.status).toBe(401);
    expect(first.body.error.code).toBe('SESSION_REVOKED');
    expect(first.body.logout.revocationId).toBe(revocationId);
    const still = await http(stack.gateway(1), 'GET', '/v1/auth/whoami', { token: phone.tokens!.accessToken });
    expect(still.status).toBe(200);

    // Its history tells the story.
    const history = await phone.request<{ entries: Array<{ kind: string }> }>('GET', '/v1/devices/tv/history');
    expect(history.entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['signed_in', 'revocation']));
  });

  it('"Don\'t recognise this device?" signs it out and leads to a password change that signs out the rest', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const laptop = stack.device(0, { id: 'laptop', type: 'computer', name: 'Laptop' });
    await laptop.signIn(holder.email, holder.password);
    await laptop.connect();
    const tvOut = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      tv.once('signed-out', (event) => void tv.closed().then(({ code }) => resolve({ event, code })));
    });

    const self = await http(stack.gateway(1), 'POST', '/v1/devices/phone/not-recognised', { token: phone.tokens!.accessToken });
    expect({ status: self.status, code: self.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });

    const answer = await http(stack.gateway(1), 'POST', '/v1/devices/tv/not-recognised', { token: phone.tokens!.accessToken });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      revocationId: expect.any(String),
      next: { action: 'change_password', method: 'POST', path: '/v1/account/password', stepUp: 'POST /v1/auth/step-up' },
    });
    const { event, code } = await tvOut;
    expect(event).toEqual({ revocationId: answer.body.revocationId, reason: 'device_not_recognised', via: 'websocket' });
    expect(code).toBe(4001);

    // The next step, as the page would take it: step-up, then a new password; the laptop goes too.
    const laptopOut = new Promise<SignedOutEvent>((resolve) => laptop.once('signed-out', resolve));
    const { reauthToken } = await phone.request<{ reauthToken: string }>('POST', answer.body.next.stepUp.split(' ')[1], { password: holder.password });
    await phone.request('POST', answer.body.next.path, { currentPassword: holder.password, newPassword: 'a fresh passphrase 99' }, { 'X-Reauth-Token': reauthToken });
    expect((await laptopOut).reason).toBe('password_changed');
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
  });
});
