import { LoginReply, PROFILE_POLICY, RpcSubject } from '@signoff/contracts';
import { decodeJwt } from 'jose';
import { AuthHarness, expectCode, TestAccount } from '../testing/auth-test-harness';

/**
 * Profiles: five per account at most, unique names, one grown-up profile always kept; selecting
 * one gives the session a token that carries it, kept across refreshes; a kids profile cannot
 * change profiles and needs the password to leave for a grown-up one; signing out never touches
 * profiles.
 */
describe('auth-service profiles', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
  });

  afterAll(async () => {
    await auth?.close();
  });

  const ref = (account: TestAccount, session: LoginReply) => ({ accountId: account.accountId, sessionId: session.sessionId });
  const create = (account: TestAccount, session: LoginReply, name: string, kids = false) =>
    auth.client.call(RpcSubject.createProfile, { ...ref(account, session), name, kids });
  const list = (account: TestAccount, session: LoginReply) => auth.client.call(RpcSubject.listProfiles, ref(account, session));
  const select = (account: TestAccount, session: LoginReply, profileId: string, reauthToken?: string) =>
    auth.client.call(RpcSubject.selectProfile, { ...ref(account, session), profileId, ...(reauthToken ? { reauthToken } : {}) });

  async function household(): Promise<{ account: TestAccount; tv: LoginReply; phone: LoginReply }> {
    const account = await auth.signUp();
    return { account, tv: await auth.login(account), phone: await auth.login(account) };
  }

  it('creates, renames and lists profiles; five at most; names unique whatever their case', async () => {
    const { account, phone } = await household();
    const { profileId: kidsId } = await create(account, phone, '  Kids  ', true);
    for (const name of ['Sam', 'Alex', 'Jo']) await create(account, phone, name);
    await expectCode(create(account, phone, 'One too many'), 'PROFILE_LIMIT_REACHED');
    await expectCode(auth.client.call(RpcSubject.renameProfile, { ...ref(account, phone), profileId: kidsId, name: 'SAM' }), 'PROFILE_NAME_TAKEN');
    await auth.client.call(RpcSubject.renameProfile, { ...ref(account, phone), profileId: kidsId, name: 'Little ones' });

    const listed = await list(account, phone);
    expect(listed.selectedProfileId).toBeNull();
    expect(listed.profiles.map((p) => [p.name, p.kids])).toEqual([
      [PROFILE_POLICY.defaultName, false],
      ['Little ones', true],
      ['Sam', false],
      ['Alex', false],
      ['Jo', false],
    ]);
    await expectCode(create(account, phone, 'bad\u0000name'), 'VALIDATION_FAILED');
    await expectCode(create(account, phone, 'x'.repeat(PROFILE_POLICY.nameMax + 1)), 'VALIDATION_FAILED');
  });

  it('lets exactly one of parallel creations take the last place', async () => {
    const { account, phone } = await household();
    for (const name of ['A', 'B', 'C']) await create(account, phone, name);
    const outcomes = await Promise.allSettled(['D', 'E', 'F', 'G'].map((name) => create(account, phone, name)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((await list(account, phone)).profiles).toHaveLength(PROFILE_POLICY.maxPerAccount);
  });

  it('selects a profile: the token carries it, refreshes keep it, and the list says which', async () => {
    const { account, tv } = await household();
    const { profileId } = await create(account, tv, 'Kids', true);
    const selected = await select(account, tv, profileId);
    expect(selected).toMatchObject({ profileId, kids: true, sessionId: tv.sessionId });
    expect(decodeJwt(selected.accessToken)).toMatchObject({ pid: profileId, kids: true, sid: tv.sessionId });
    const refreshed = await auth.client.call(RpcSubject.refresh, { refreshToken: tv.refreshToken });
    expect(decodeJwt(refreshed.accessToken)).toMatchObject({ pid: profileId, kids: true });
    expect((await list(account, tv)).selectedProfileId).toBe(profileId);
    await expectCode(select(account, tv, '00000000-0000-4000-8000-000000000000'), 'PROFILE_NOT_FOUND');
  });

  it('keeps a kids profile from changing profiles, and from leaving for a grown-up one without the password', async () => {
    const { account, tv, phone } = await household();
    const { profiles } = await list(account, phone);
    const main = profiles[0].profileId;
    const { profileId: kidsId } = await create(account, phone, 'Kids', true);
    await select(account, tv, kidsId);

    await expectCode(create(account, tv, 'Sneaky'), 'PROFILE_NOT_ALLOWED');
    await expectCode(auth.client.call(RpcSubject.renameProfile, { ...ref(account, tv), profileId: main, name: 'Mine' }), 'PROFILE_NOT_ALLOWED');
    await expectCode(auth.client.call(RpcSubject.deleteProfile, { ...ref(account, tv), profileId: main }), 'PROFILE_NOT_ALLOWED');
    await expectCode(select(account, tv, main), 'REAUTH_REQUIRED');
    // Another session's step-up does not count; this session's does, once.
    await expectCode(select(account, tv, main, await auth.stepUp(account, phone.sessionId)), 'REAUTH_REQUIRED');
    const reauthToken = await auth.stepUp(account, tv.sessionId);
    await expect(select(account, tv, main, reauthToken)).resolves.toMatchObject({ profileId: main, kids: false });
    // Kids → kids needs nothing.
    const { profileId: otherKids } = await create(account, phone, 'Tiny', true);
    await select(account, tv, kidsId);
    await expect(select(account, tv, otherKids)).resolves.toMatchObject({ kids: true });
  });

  it('deletes a profile (sessions watching as it fall back to none) but never the last grown-up one', async () => {
    const { account, tv, phone } = await household();
    const main = (await list(account, phone)).profiles[0].profileId;
    await expectCode(auth.client.call(RpcSubject.deleteProfile, { ...ref(account, phone), profileId: main }), 'LAST_ADULT_PROFILE');
    const { profileId: sam } = await create(account, phone, 'Sam');
    await select(account, tv, sam);
    await auth.client.call(RpcSubject.deleteProfile, { ...ref(account, phone), profileId: sam });
    expect((await list(account, tv)).selectedProfileId).toBeNull();
    const refreshed = await auth.client.call(RpcSubject.refresh, { refreshToken: tv.refreshToken });
    expect(decodeJwt(refreshed.accessToken).pid).toBeUndefined();
    // Now Sam is gone, Main is the last grown-up one again.
    await expectCode(auth.client.call(RpcSubject.deleteProfile, { ...ref(account, phone), profileId: main }), 'LAST_ADULT_PROFILE');
  });

  it('never deletes a profile when devices are signed out', async () => {
    const { account, tv, phone } = await household();
    await create(account, phone, 'Kids', true);
    const before = (await list(account, phone)).profiles;
    const reauthToken = await auth.stepUp(account, phone.sessionId);
    await auth.client.call(RpcSubject.revokeAllSessions, { ...ref(account, phone), reauthToken, includeCurrent: true });
    const again = await auth.login(account);
    expect((await list(account, again)).profiles).toEqual(before);
    await expectCode(list(account, tv), 'SESSION_REVOKED');
  });
});
