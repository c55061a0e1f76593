import { ChangePasswordReply, ChangePasswordRequest, EventSubject, LoginReply, RpcSubject } from '@signoff/contracts';
import { AuthHarness, deviceStub, expectCode, TestAccount } from '../testing/auth-test-harness';

describe('auth-service password change (step-up + current password)', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    // The relay's safety-net poll is out of reach: events must leave because the commit kicked it.
    auth = await AuthHarness.start({ OUTBOX_POLL_MS: '60000' });
  });

  afterAll(async () => {
    await auth?.close();
  });

  const NEW_PASSWORD = 'a brand new passphrase 42';

  /** An account signed in on three devices; `phone` is the one changing the password. */
  async function householdStub(): Promise<{ account: TestAccount; phone: LoginReply; tv: LoginReply; laptop: LoginReply; devices: Record<string, string> }> {
    const account = await auth.signUp();
    const devices = { phone: deviceStub({ type: 'phone' }), tv: deviceStub({ type: 'tv' }), laptop: deviceStub({ type: 'computer' }) };
    const phone = await auth.login(account, devices.phone);
    const tv = await auth.login(account, devices.tv);
    const laptop = await auth.login(account, devices.laptop);
    return { account, phone, tv, laptop, devices: { [phone.sessionId]: devices.phone.id, [tv.sessionId]: devices.tv.id, [laptop.sessionId]: devices.laptop.id } };
  }

  function change(account: TestAccount, sessionId: string, overrides: Partial<ChangePasswordRequest> & { reauthToken: string }): Promise<ChangePasswordReply> {
    return auth.client.call(RpcSubject.changePassword, {
      accountId: account.accountId,
      sessionId,
      currentPassword: account.password,
      newPassword: NEW_PASSWORD,
      signOutOtherDevices: true,
      ...overrides,
    });
  }

  async function loginWith(account: TestAccount, password: string): Promise<LoginReply> {
    return auth.login({ ...account, password }, deviceStub());
  }

  function eventsOf(accountId: string): { changed: number; bumped: number } {
    return {
      changed: auth.events.of(EventSubject.passwordChanged).filter((e) => e.accountId === accountId).length,
      bumped: auth.events.of(EventSubject.accountEpochBumped).filter((e) => e.accountId === accountId).length,
    };
  }

  it('changes the password, signs every other device out (epoch bump, reason password_changed) and keeps the caller signed in', async () => {
    const { account, phone, tv, laptop, devices } = await householdStub();
    const reauthToken = await auth.stepUp(account, phone.sessionId);

    const reply = await change(account, phone.sessionId, { reauthToken });
    expect(reply).toEqual({ revocationId: expect.any(String) });
    const revocationId = reply.revocationId as string;

    // The new password signs in, the old one does not.
    await expectCode(loginWith(account, account.password), 'INVALID_CREDENTIALS');
    const fresh = await loginWith(account, NEW_PASSWORD);
    expect((await auth.verifyAccessToken(fresh.accessToken)).claims.epoch).toBe(2);
    const { rows: hashRows } = await auth.sql.query<{ password_hash: string }>('SELECT password_hash FROM auth.accounts WHERE id = $1', [account.accountId]);
    expect(hashRows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    // Every other session is revoked by one revocation; the caller's survives with the new epoch.
    expect(await auth.epochOf(account.accountId)).toBe(2);
    expect(await auth.liveSessionIds(account.accountId)).toEqual([phone.sessionId, fresh.sessionId].sort());
    for (const other of [tv, laptop]) {
      const row = await auth.sessionRow(other.sessionId);
      expect(row).toMatchObject({ revocation_id: revocationId, revoke_reason: 'password_changed' });
      const refused = await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: other.refreshToken }), 'SESSION_REVOKED');
      expect(refused.details.logout).toEqual({ revocationId, purgeDownloads: true });
    }
    const { rows } = await auth.sql.query('SELECT scope, reason, requested_by_session_id FROM auth.revocations WHERE id = $1', [revocationId]);
    expect(rows).toEqual([{ scope: 'all_devices', reason: 'password_changed', requested_by_session_id: phone.sessionId }]);
    const kept = await auth.client.call(RpcSubject.refresh, { refreshToken: phone.refreshToken });
    expect((await auth.verifyAccessToken(kept.accessToken)).claims.epoch).toBe(2);

    // Both events reach the stream: the revocation gateways act on, and the record of the change.
    const bumped = await auth.events.waitFor(EventSubject.accountEpochBumped, (e) => e.revocationId === revocationId);
    expect(bumped).toMatchObject({ accountId: account.accountId, epoch: 2, exceptSessionId: phone.sessionId, reason: 'password_changed' });
    expect([...bumped.sessionIds].sort()).toEqual([tv.sessionId, laptop.sessionId].sort());
    expect(bumped.deviceIds).toEqual(bumped.sessionIds.map((id) => devices[id]));
    const changed = await auth.events.waitFor(EventSubject.passwordChanged, (e) => e.accountId === account.accountId);
    expect(changed).toEqual({
      eventId: expect.any(String),
      occurredAt: expect.any(String),
      accountId: account.accountId,
      changedBySessionId: phone.sessionId,
      signedOutOtherDevices: true,
    });
    expect(JSON.stringify(changed)).not.toContain(NEW_PASSWORD);
  });

  it('keeps the other devices signed in when signOutOtherDevices is false', async () => {
    const { account, phone, tv, laptop } = await householdStub();
    const reauthToken = await auth.stepUp(account, phone.sessionId);

    await expect(change(account, phone.sessionId, { reauthToken, signOutOtherDevices: false })).resolves.toEqual({});

    expect(await auth.epochOf(account.accountId)).toBe(1);
    expect(await auth.liveSessionIds(account.accountId)).toEqual([phone.sessionId, tv.sessionId, laptop.sessionId].sort());
    await auth.client.call(RpcSubject.refresh, { refreshToken: tv.refreshToken });
    await expectCode(loginWith(account, account.password), 'INVALID_CREDENTIALS');
    await loginWith(account, NEW_PASSWORD);
    const changed = await auth.events.waitFor(EventSubject.passwordChanged, (e) => e.accountId === account.accountId);
    expect(changed.signedOutOtherDevices).toBe(false);
    const { rows } = await auth.sql.query('SELECT id FROM auth.revocations WHERE account_id = $1', [account.accountId]);
    expect(rows).toEqual([]);
    expect(eventsOf(account.accountId).bumped).toBe(0);
  });

  it('uses up every other pending step-up of the account: one proved the old password', async () => {
    const { account, phone, tv } = await householdStub();
    const tvReauth = await auth.stepUp(account, tv.sessionId);
    await change(account, phone.sessionId, { reauthToken: await auth.stepUp(account, phone.sessionId), signOutOtherDevices: false });
    await expectCode(
      auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken: tvReauth, includeCurrent: false }),
      'REAUTH_REQUIRED',
    );
  });

  it('serialises with refreshes racing it: no other device refreshes after it commits, the caller keeps refreshing', async () => {
    const RACERS = 10;
    const account = await auth.signUp();
    const phone = await auth.login(account, deviceStub({ type: 'phone' }));
    const others: LoginReply[] = [];
    for (let i = 0; i < RACERS; i++) others.push(await auth.login(account, deviceStub({ name: `Device ${i}` })));
    const reauthToken = await auth.stepUp(account, phone.sessionId);

    // Replies come back on one connection in the order the service sent them: count arrivals.
    let arrivals = 0;
    const successes: Array<{ arrival: number; minted: string }> = [];
    const refusals: Array<{ arrival: number; presented: string; code: string; revocationId?: string }> = [];
    /** Each device refreshes again and again with its newest token until it is refused. */
    const rounds = new Map<string, number>();
    async function keepRefreshing(login: LoginReply): Promise<void> {
      let token = login.refreshToken;
      for (let i = 0; i < 500; i++) {
        try {
          token = (await auth.client.call(RpcSubject.refresh, { refreshToken: token })).refreshToken;
          successes.push({ arrival: arrivals++, minted: token });
          rounds.set(login.sessionId, i + 1);
        } catch (error) {
          const coded = error as { code: string; details?: { logout?: { revocationId: string } } };
          refusals.push({ arrival: arrivals++, presented: token, code: coded.code, revocationId: coded.details?.logout?.revocationId });
          return;
        }
      }
      throw new Error('the device was never refused');
    }
    const racing = Promise.all(others.map(keepRefreshing));
    // Let the chains get going, so the change lands in the middle of them.
    while (others.some((o) => (rounds.get(o.sessionId) ?? 0) < 2)) await new Promise((resolve) => setTimeout(resolve, 5));
    const reply = await change(account, phone.sessionId, { reauthToken }).then((r) => ({ ...r, arrival: arrivals++ }));
    await racing;

    expect(successes.filter((o) => o.arrival > reply.arrival)).toEqual([]);
    expect(refusals).toHaveLength(RACERS);
    for (const o of refusals) expect({ code: o.code, revocationId: o.revocationId }).toEqual({ code: 'SESSION_REVOKED', revocationId: reply.revocationId });
    expect(await auth.liveSessionIds(account.accountId)).toEqual([phone.sessionId]);
    // Each device was refused with the newest token the race minted for it: nothing outlived the change.
    const minted = new Set(successes.map((o) => o.minted));
    for (const o of refusals) expect(minted.has(o.presented)).toBe(true);
    await expect(auth.client.call(RpcSubject.refresh, { refreshToken: phone.refreshToken })).resolves.toMatchObject({ refreshToken: expect.any(String) });
    process.stdout.write(`password change race: ${successes.length} refreshes before it, ${refusals.length} refused after it\n`);
  });

  describe('refusals change nothing', () => {
    type Household = Awaited<ReturnType<typeof householdStub>>;

    /** Old password still works, epoch unchanged, every session live, no event written. */
    async function expectNothingChanged(household: Household): Promise<void> {
      const { account, phone, tv, laptop } = household;
      expect(await auth.epochOf(account.accountId)).toBe(1);
      expect(await auth.liveSessionIds(account.accountId)).toEqual([phone.sessionId, tv.sessionId, laptop.sessionId].sort());
      const { rows } = await auth.sql.query('SELECT id FROM auth.revocations WHERE account_id = $1', [account.accountId]);
      expect(rows).toEqual([]);
      await expectCode(loginWith(account, NEW_PASSWORD), 'INVALID_CREDENTIALS');
      await loginWith(account, account.password);
      expect(eventsOf(account.accountId)).toEqual({ changed: 0, bumped: 0 });
    }

    it.each([
      ['a token never issued', async () => 'ra_this-token-was-never-issued'],
      ['a token of another session of the account', async (h: Household) => auth.stepUp(h.account, h.tv.sessionId)],
      [
        'a token of another account',
        async () => {
          const stranger = await auth.signUp();
          const login = await auth.login(stranger);
          return auth.stepUp(stranger, login.sessionId);
        },
      ],
      [
        'an expired token',
        async (h: Household) => {
          const token = await auth.stepUp(h.account, h.phone.sessionId);
          await auth.sql.query(`UPDATE auth.reauth_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [h.phone.sessionId]);
          return token;
        },
      ],
    ])('refuses %s with REAUTH_REQUIRED', async (_name, tokenFor) => {
      const household = await householdStub();
      const reauthToken = await tokenFor(household);
      await expectCode(change(household.account, household.phone.sessionId, { reauthToken }), 'REAUTH_REQUIRED');
      await expectNothingChanged(household);
    });

    it('refuses a missing or empty reauth token at the contract (VALIDATION_FAILED)', async () => {
      const household = await householdStub();
      const { account, phone } = household;
      await expectCode(
        auth.client.call(RpcSubject.changePassword, {
          accountId: account.accountId,
          sessionId: phone.sessionId,
          currentPassword: account.password,
          newPassword: NEW_PASSWORD,
          signOutOtherDevices: true,
        } as never),
        'VALIDATION_FAILED',
      );
      await expectCode(change(account, phone.sessionId, { reauthToken: '' }), 'VALIDATION_FAILED');
      await expectNothingChanged(household);
    });

    it('refuses a reauth token already used', async () => {
      const household = await householdStub();
      const { account, phone } = household;
      const reauthToken = await auth.stepUp(account, phone.sessionId);
      // Used up by a successful "sign out all but this one"...
      await auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: phone.sessionId, reauthToken, includeCurrent: false });
      const epoch = await auth.epochOf(account.accountId);
      // ...it changes no password afterwards.
      await expectCode(change(account, phone.sessionId, { reauthToken }), 'REAUTH_REQUIRED');
      expect(await auth.epochOf(account.accountId)).toBe(epoch);
      await expectCode(loginWith(account, NEW_PASSWORD), 'INVALID_CREDENTIALS');
      await loginWith(account, account.password);
      expect(eventsOf(account.accountId).changed).toBe(0);
    });

    it('refuses a wrong current password with STEP_UP_FAILED and uses the reauth token up', async () => {
      const household = await householdStub();
      const { account, phone } = household;
      const reauthToken = await auth.stepUp(account, phone.sessionId);
      await expectCode(change(account, phone.sessionId, { reauthToken, currentPassword: 'not the current password' }), 'STEP_UP_FAILED');
      // One step-up buys one guess: the right password with the same token is refused too.
      await expectCode(change(account, phone.sessionId, { reauthToken }), 'REAUTH_REQUIRED');
      await expectNothingChanged(household);
    });

    it('refuses a new password equal to the current one, or outside the length limits, with VALIDATION_FAILED', async () => {
      const household = await householdStub();
      const { account, phone } = household;
      const reauthToken = await auth.stepUp(account, phone.sessionId);
      const same = await expectCode(change(account, phone.sessionId, { reauthToken, newPassword: account.password }), 'VALIDATION_FAILED');
      expect(same.details.fields).toEqual(['newPassword']);
      for (const newPassword of ['short', 'x'.repeat(257)]) {
        const tooShortOrLong = await expectCode(change(account, phone.sessionId, { reauthToken, newPassword }), 'VALIDATION_FAILED');
        expect(tooShortOrLong.details.fields).toEqual(['newPassword']);
      }
      await expectNothingChanged(household);
      // None of those consumed the step-up: it still changes the password.
      await expect(change(account, phone.sessionId, { reauthToken })).resolves.toHaveProperty('revocationId');
    });

    it('refuses a session that has been signed out, even with its reauth token', async () => {
      const { account, phone, tv } = await householdStub();
      const reauthToken = await auth.stepUp(account, phone.sessionId);
      await auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: (await auth.sessionRow(phone.sessionId)).device_id });
      await expectCode(change(account, phone.sessionId, { reauthToken }), 'SESSION_REVOKED');
      await expectCode(loginWith(account, NEW_PASSWORD), 'INVALID_CREDENTIALS');
      expect(await auth.epochOf(account.accountId)).toBe(1);
    });
  });
});
