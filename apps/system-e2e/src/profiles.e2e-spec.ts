import { randomUUID } from 'node:crypto';
import { expectEventually } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * Profiles through the gateways: the phone creates a kids profile, the TV (other gateway)
 * selects it, and from then on every account-management route refuses the TV with 403
 * PROFILE_NOT_ALLOWED while watching still works; leaving kids for a grown-up profile needs the
 * password. Signing out never deletes a profile.
 */
describe('profiles and kids profiles (two gateways)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('refuses every account route to a kids profile, touching nothing, and lets it watch', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const phoneToken = () => phone.tokens!.accessToken;
    const created = await http(stack.gateway(0), 'POST', '/v1/profiles', { token: phoneToken(), body: { name: 'Kids', kids: true } });
    expect(created.status).toBe(201);
    const kidsId = created.body.profileId as string;
    const listed = await http(stack.gateway(1), 'GET', '/v1/profiles', { token: tv.tokens!.accessToken });
    expect(listed.body.profiles.map((p: { name: string; kids: boolean }) => [p.name, p.kids])).toEqual([
      ['Main', false],
      ['Kids', true],
    ]);
    const mainId = listed.body.profiles[0].profileId as string;

    await expect(tv.selectProfile(kidsId)).resolves.toEqual({ profileId: kidsId, kids: true });
    await expect(tv.whoami()).resolves.toMatchObject({ profileId: kidsId, kids: true });
    const kidsToken = tv.tokens!.accessToken;

    const accountRoutes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/me'],
      ['GET', '/v1/devices'],
      ['GET', '/v1/devices/phone/history'],
      ['GET', '/v1/history'],
      ['GET', '/v1/devices/phone/downloads'],
      ['POST', '/v1/devices/phone/sign-out'],
      ['POST', '/v1/sessions/revoke-all', { includeCurrent: true }],
      ['GET', `/v1/revocations/${randomUUID()}`],
      ['POST', '/v1/account/password', { currentPassword: holder.password, newPassword: 'a new password 42' }],
      ['GET', '/v1/account/two-factor'],
      ['POST', '/v1/account/two-factor'],
      ['POST', '/v1/account/two-factor/confirm', { code: '123456' }],
      ['POST', '/v1/account/two-factor/disable', { code: '123456' }],
      ['POST', '/v1/account/two-factor/recovery-codes'],
      ['POST', '/v1/profiles', { name: 'Sneaky', kids: false }],
      ['PATCH', `/v1/profiles/${mainId}`, { name: 'Mine now' }],
      ['DELETE', `/v1/profiles/${mainId}`],
    ];
    for (const gateway of [0, 1]) {
      for (const [method, path, body] of accountRoutes) {
        const answer = await http(stack.gateway(gateway), method, path, { token: kidsToken, body, headers: { 'X-Reauth-Token': 'ra_whatever' } });
        expect({ gateway, method, path, status: answer.status, code: answer.body?.error?.code }).toEqual({
          gateway,
          method,
          path,
          status: 403,
          code: 'PROFILE_NOT_ALLOWED',
        });
      }
    }
    // Nothing happened: the phone is signed in, the profiles are as they were, the password too.
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
    const after = await http(stack.gateway(0), 'GET', '/v1/profiles', { token: phoneToken() });
    expect(after.body.profiles.map((p: { name: string }) => p.name)).toEqual(['Main', 'Kids']);

    // Watching is what a kids profile is for.
    const playback = await http(stack.gateway(1), 'POST', '/v1/playback/sessions', { token: kidsToken, body: { titleId: 'cartoons-1' } });
    expect(playback.status).toBe(201);
    // The holder's device list names the profile that watched, and what.
    await expectEventually(async () => {
      const list = await phone.request<{ devices: Array<{ deviceId: string; lastProfile: string | null; lastProfileName: string | null; lastWatchedTitleId: string | null }> }>(
        'GET',
        '/v1/devices',
      );
      expect(list.devices.find((d) => d.deviceId === 'tv')).toMatchObject({ lastProfile: kidsId, lastProfileName: 'Kids', lastWatchedTitleId: 'cartoons-1' });
    });

    // Back to the grown-up profile: the password first.
    const refused = await http(stack.gateway(1), 'POST', `/v1/profiles/${mainId}/select`, { token: kidsToken });
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 401, code: 'REAUTH_REQUIRED' });
    const { reauthToken } = await tv.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: holder.password });
    await expect(tv.selectProfile(mainId, reauthToken)).resolves.toEqual({ profileId: mainId, kids: false });
    expect((await tv.request<{ devices: unknown[] }>('GET', '/v1/devices')).devices.length).toBe(2);
  });

  it('keeps a device that watched as a deleted kids profile restricted until a step-up', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const created = await http(stack.gateway(0), 'POST', '/v1/profiles', { token: phone.tokens!.accessToken, body: { name: 'Little one', kids: true } });
    const kidsId = created.body.profileId as string;
    await expect(tv.selectProfile(kidsId)).resolves.toEqual({ profileId: kidsId, kids: true });
    const deleted = await http(stack.gateway(0), 'DELETE', `/v1/profiles/${kidsId}`, { token: phone.tokens!.accessToken });
    expect(deleted.status).toBe(204);

    // The TV's next token has no profile, and is still a kids token: no account, no grown-up profile.
    await tv.refresh();
    await expect(tv.whoami()).resolves.toMatchObject({ kids: true });
    expect((await tv.whoami()).profileId).toBeUndefined();
    const devices = await http(stack.gateway(1), 'GET', '/v1/devices', { token: tv.tokens!.accessToken });
    expect({ status: devices.status, code: devices.body.error.code }).toEqual({ status: 403, code: 'PROFILE_NOT_ALLOWED' });
    const listed = await http(stack.gateway(0), 'GET', '/v1/profiles', { token: phone.tokens!.accessToken });
    const mainId = listed.body.profiles.find((p: { kids: boolean }) => !p.kids).profileId as string;
    const created2 = await http(stack.gateway(1), 'POST', '/v1/profiles', { token: tv.tokens!.accessToken, body: { name: 'Sneaky', kids: false } });
    expect({ status: created2.status, code: created2.body.error.code }).toEqual({ status: 403, code: 'PROFILE_NOT_ALLOWED' });
    const refused = await http(stack.gateway(1), 'POST', `/v1/profiles/${mainId}/select`, { token: tv.tokens!.accessToken });
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 401, code: 'REAUTH_REQUIRED' });

    // The holder's password lifts it.
    const { reauthToken } = await tv.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: holder.password });
    await expect(tv.selectProfile(mainId, reauthToken)).resolves.toEqual({ profileId: mainId, kids: false });
    await tv.refresh();
    await expect(tv.whoami()).resolves.toMatchObject({ profileId: mainId, kids: false });
  });

  it('lets a kids profile start streams only under its own profile, on either gateway', async () => {
    const { tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const kids = await http(stack.gateway(1), 'POST', '/v1/profiles', { token: phone.tokens!.accessToken, body: { name: 'Kids', kids: true } });
    const otherKids = await http(stack.gateway(1), 'POST', '/v1/profiles', { token: phone.tokens!.accessToken, body: { name: 'Teens', kids: true } });
    const listed = await http(stack.gateway(1), 'GET', '/v1/profiles', { token: phone.tokens!.accessToken });
    const mainId = listed.body.profiles.find((p: { name: string }) => p.name === 'Main').profileId as string;
    const kidsId = kids.body.profileId as string;
    await tv.selectProfile(kidsId);
    const kidsToken = tv.tokens!.accessToken;
    const start = (gateway: number, token: string, profileId?: string) =>
      http(stack.gateway(gateway), 'POST', '/v1/playback/sessions', { token, body: { titleId: 'film-for-grown-ups', ...(profileId ? { profileId } : {}) } });

    for (const gateway of [0, 1]) {
      for (const profileId of [mainId, otherKids.body.profileId as string, randomUUID()]) {
        const refused = await start(gateway, kidsToken, profileId);
        expect({ gateway, profileId, status: refused.status, code: refused.body.error?.code }).toEqual({ gateway, profileId, status: 403, code: 'PROFILE_NOT_ALLOWED' });
      }
    }
    // Under its own profile, named or implied, it watches.
    for (const profileId of [kidsId, undefined]) {
      const started = await start(0, kidsToken, profileId);
      expect({ profileId, status: started.status }).toEqual({ profileId, status: 201 });
      expect(started.body.playbackId).toEqual(expect.any(String));
    }
    // A grown-up profile may start a stream for anyone's profile (a parent putting a cartoon on).
    expect((await start(1, phone.tokens!.accessToken, kidsId)).status).toBe(201);
  });

  it('keeps every profile when all devices are signed out', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    for (const name of ['Sam', 'Little ones']) {
      expect((await http(stack.gateway(1), 'POST', '/v1/profiles', { token: phone.tokens!.accessToken, body: { name, kids: name !== 'Sam' } })).status).toBe(201);
    }
    const before = await http(stack.gateway(1), 'GET', '/v1/profiles', { token: phone.tokens!.accessToken });
    const tvOut = new Promise((resolve) => tv.once('signed-out', resolve));
    await phone.signOutEverywhere(holder.password);
    await tvOut;

    const again = stack.device(0, { id: 'laptop', type: 'computer', name: 'Laptop' });
    await again.signIn(holder.email, holder.password);
    await expectEventually(async () => {
      const now = await http(stack.gateway(0), 'GET', '/v1/profiles', { token: again.tokens!.accessToken });
      expect(now.body.profiles).toEqual(before.body.profiles);
    });
  });
});
