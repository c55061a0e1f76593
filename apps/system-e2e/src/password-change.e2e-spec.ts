import { DeviceClient, SignedOutEvent } from '@signoff/device-client';
import { http, TestStack } from './support/test-stack';

/**
 * Password change, end to end: the phone on one gateway changes the password after a step-up;
 * the TV connected to the other gateway is signed out (reason `password_changed`) unless the
 * holder keeps the other devices; the phone carries on; only the new password signs in.
 */
describe('password change (two gateways)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const NEW_PASSWORD = 'a brand new passphrase 42';

  /** Step-up on the phone, then `POST /v1/account/password`; the raw answer. */
  async function changePassword(phone: DeviceClient, gateway: number, currentPassword: string, extra: Record<string, unknown> = {}) {
    const { reauthToken } = await phone.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: currentPassword });
    return http(stack.gateway(gateway), 'POST', '/v1/account/password', {
      token: phone.tokens!.accessToken,
      headers: { 'X-Reauth-Token': reauthToken },
      body: { currentPassword, newPassword: NEW_PASSWORD, ...extra },
    });
  }

  async function loginStatus(gateway: number, email: string, password: string): Promise<{ status: number; code?: string }> {
    const response = await http(stack.gateway(gateway), 'POST', '/v1/auth/login', {
      body: { email, password, device: { id: `laptop-${Date.now()}`, type: 'computer', name: 'Laptop' } },
    });
    return { status: response.status, code: response.body?.error?.code };
  }

  it('signs the other devices out by default (logout directive, close 4001) and keeps the phone signed in', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const tvToken = tv.tokens!.accessToken;
    const tvOut = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      tv.once('signed-out', (event) => void tv.closed().then(({ code }) => resolve({ event, code })));
    });

    const changed = await changePassword(phone, 1, holder.password);
    expect(changed.status).toBe(200);
    const { revocationId } = changed.body as { revocationId: string };
    expect(revocationId).toEqual(expect.any(String));

    const { event, code } = await tvOut;
    expect(event).toEqual({ revocationId, reason: 'password_changed', via: 'websocket' });
    expect(code).toBe(4001);
    for (const gateway of [0, 1]) {
      const refused = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: tvToken });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('SESSION_REVOKED');
    }

    // The phone that changed it carries on, before and after a refresh, on both gateways.
    await expect(phone.whoami()).resolves.toMatchObject({ accountId: holder.accountId, deviceId: 'phone' });
    expect((await http(stack.gateway(0), 'GET', '/v1/auth/whoami', { token: phone.tokens!.accessToken })).status).toBe(200);
    await phone.refresh();
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });

    // Only the new password signs in.
    expect(await loginStatus(0, holder.email, holder.password)).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(await loginStatus(1, holder.email, NEW_PASSWORD)).toEqual({ status: 200, code: undefined });

    // The sign-out is followed like any other revocation.
    const progress = await phone.request<{ scope: string }>('GET', `/v1/revocations/${revocationId}`);
    expect(progress.scope).toBe('all_devices');
  });

  it('keeps the other devices signed in with signOutAllDevices: false', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const firstSignOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));

    const changed = await changePassword(phone, 1, holder.password, { signOutAllDevices: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({});

    await expect(tv.whoami()).resolves.toMatchObject({ deviceId: 'tv' });
    await tv.refresh();
    expect(await loginStatus(0, holder.email, NEW_PASSWORD)).toEqual({ status: 200, code: undefined });
    // No logout reached the TV: the first one it receives is the one sent now, on purpose.
    const signOut = await http(stack.gateway(1), 'POST', '/v1/devices/tv/sign-out', { token: phone.tokens!.accessToken });
    expect(signOut.status).toBe(202);
    expect((await firstSignOut).revocationId).toBe(signOut.body.revocationId);
  });

  it('refuses without a reauth token, with a wrong current password, and with a bad body, changing nothing', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const token = phone.tokens!.accessToken;
    const body = { currentPassword: holder.password, newPassword: NEW_PASSWORD };

    const missing = await http(stack.gateway(1), 'POST', '/v1/account/password', { token, body });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('REAUTH_REQUIRED');

    const wrong = await changePassword(phone, 1, holder.password, { currentPassword: 'not the current password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('STEP_UP_FAILED');

    const { reauthToken } = await phone.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: holder.password });
    for (const bad of [{ ...body, newPassword: 'short' }, { ...body, signOutAllDevices: 'yes' }, { ...body, extra: 1 }, { newPassword: NEW_PASSWORD }]) {
      const refused = await http(stack.gateway(1), 'POST', '/v1/account/password', { token, body: bad, headers: { 'X-Reauth-Token': reauthToken } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
    const same = await http(stack.gateway(1), 'POST', '/v1/account/password', {
      token,
      body: { currentPassword: holder.password, newPassword: holder.password },
      headers: { 'X-Reauth-Token': reauthToken },
    });
    expect(same.status).toBe(400);
    expect(same.body.error.code).toBe('VALIDATION_FAILED');

    // Nothing changed: both devices work, the old password still signs in.
    await expect(tv.whoami()).resolves.toMatchObject({ deviceId: 'tv' });
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
    expect(await loginStatus(0, holder.email, holder.password)).toEqual({ status: 200, code: undefined });
    expect(await loginStatus(0, holder.email, NEW_PASSWORD)).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
  });
});
