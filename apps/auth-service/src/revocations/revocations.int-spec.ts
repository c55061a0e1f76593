import { AccountEpochBumpedV1, EventSubject, LoginReply, RpcSubject, SessionRevokedV1, TOKEN_POLICY } from '@signoff/contracts';
import { expectEventually } from '@signoff/testing';
import { AuthHarness, deviceStub, expectCode, TestAccount } from '../testing/auth-test-harness';

describe('auth-service revocations (step-up, sign out one device, sign out everywhere)', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    // The relay's safety-net poll is pushed out of reach: every event these tests wait for
    // must have left because the committing transaction kicked the relay.
    auth = await AuthHarness.start({ OUTBOX_POLL_MS: '60000' });
  });

  afterAll(async () => {
    await auth?.close();
  });

  /** An account signed in on three devices; `tv` is the one asking. */
  async function householdStub(): Promise<{ account: TestAccount; tv: LoginReply; phone: LoginReply; laptop: LoginReply; devices: Record<string, string> }> {
    const account = await auth.signUp();
    const devices = { tv: deviceStub({ type: 'tv' }), phone: deviceStub({ type: 'phone' }), laptop: deviceStub({ type: 'computer' }) };
    const tv = await auth.login(account, devices.tv);
    const phone = await auth.login(account, devices.phone);
    const laptop = await auth.login(account, devices.laptop);
    return {
      account,
      tv,
      phone,
      laptop,
      devices: { [tv.sessionId]: devices.tv.id, [phone.sessionId]: devices.phone.id, [laptop.sessionId]: devices.laptop.id },
    };
  }

  describe('step-up', () => {
    it('issues a single-use reauth token for the right password, stored hashed, valid five minutes', async () => {
      const { account, tv } = await householdStub();
      const reply = await auth.client.call(RpcSubject.stepUp, { accountId: account.accountId, sessionId: tv.sessionId, password: account.password });
      expect(reply).toEqual({ reauthToken: expect.stringMatching(/^ra_[A-Za-z0-9_-]{43}$/), expiresIn: TOKEN_POLICY.reauthTtlSeconds });
      const { rows } = await auth.sql.query<{ token_hash: string; session_id: string; ttl: number }>(
        'SELECT token_hash, session_id, extract(epoch FROM expires_at - now())::int AS ttl FROM auth.reauth_tokens WHERE account_id = $1',
        [account.accountId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].session_id).toBe(tv.sessionId);
      expect(rows[0].ttl).toBeGreaterThan(290);
      expect(rows[0].ttl).toBeLessThanOrEqual(300);
    });

    it('refuses a wrong password with STEP_UP_FAILED and a revoked session with SESSION_REVOKED', async () => {
      const { account, tv, phone } = await householdStub();
      await expectCode(auth.client.call(RpcSubject.stepUp, { accountId: account.accountId, sessionId: tv.sessionId, password: 'not the password' }), 'STEP_UP_FAILED');
      const { revocationId } = await auth.client.call(RpcSubject.logout, { accountId: account.accountId, sessionId: phone.sessionId });
      const refused = await expectCode(auth.client.call(RpcSubject.stepUp, { accountId: account.accountId, sessionId: phone.sessionId, password: account.password }), 'SESSION_REVOKED');
      expect(refused.details.logout).toEqual({ revocationId, purgeDownloads: true });
    });
  });

  describe('revokeAllSessions without a valid step-up', () => {
    /** Nothing may have changed: same epoch, same live sessions, refresh still works, no revocation. */
    async function expectNothingRevoked(household: Awaited<ReturnType<typeof householdStub>>, epochBefore: number): Promise<void> {
      const { account, tv, phone, laptop } = household;
      expect(await auth.epochOf(account.accountId)).toBe(epochBefore);
      expect(await auth.liveSessionIds(account.accountId)).toEqual([tv.sessionId, phone.sessionId, laptop.sessionId].sort());
      const { rows } = await auth.sql.query('SELECT id FROM auth.revocations WHERE account_id = $1', [account.accountId]);
      expect(rows).toEqual([]);
      const refreshed = await auth.client.call(RpcSubject.refresh, { refreshToken: phone.refreshToken });
      phone.refreshToken = refreshed.refreshToken;
      expect(auth.events.of(EventSubject.accountEpochBumped).filter((e) => e.accountId === account.accountId)).toEqual([]);
    }

    it.each([
      ['a token never issued', async () => 'ra_this-token-was-never-issued'],
      ['a token issued for another session of the account', async (h: Awaited<ReturnType<typeof householdStub>>) => auth.stepUp(h.account, h.phone.sessionId)],
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
        async (h: Awaited<ReturnType<typeof householdStub>>) => {
          const token = await auth.stepUp(h.account, h.tv.sessionId);
          await auth.sql.query(`UPDATE auth.reauth_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [h.tv.sessionId]);
          return token;
        },
      ],
    ])('refuses %s with REAUTH_REQUIRED and changes nothing', async (_name, tokenFor) => {
      const household = await householdStub();
      const reauthToken = await tokenFor(household);
      await expectCode(
        auth.client.call(RpcSubject.revokeAllSessions, { accountId: household.account.accountId, sessionId: household.tv.sessionId, reauthToken, includeCurrent: true }),
        'REAUTH_REQUIRED',
      );
      await expectNothingRevoked(household, 1);
    });

    it('refuses a request without a token at the contract (VALIDATION_FAILED) and changes nothing', async () => {
      const household = await householdStub();
      await expectCode(
        auth.client.call(RpcSubject.revokeAllSessions, { accountId: household.account.accountId, sessionId: household.tv.sessionId, includeCurrent: true } as never),
        'VALIDATION_FAILED',
      );
      await expectCode(
        auth.client.call(RpcSubject.revokeAllSessions, { accountId: household.account.accountId, sessionId: household.tv.sessionId, reauthToken: '', includeCurrent: true }),
        'VALIDATION_FAILED',
      );
      await expectNothingRevoked(household, 1);
    });

    it('refuses a token already used with REAUTH_REQUIRED and changes nothing more', async () => {
      const household = await householdStub();
      const { account, tv } = household;
      const reauthToken = await auth.stepUp(account, tv.sessionId);
      await auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken, includeCurrent: false });
      const epochAfterFirst = await auth.epochOf(account.accountId);
      const phone = await auth.login(account, deviceStub());

      await expectCode(auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken, includeCurrent: false }), 'REAUTH_REQUIRED');
      expect(await auth.epochOf(account.accountId)).toBe(epochAfterFirst);
      expect(await auth.liveSessionIds(account.accountId)).toEqual([tv.sessionId, phone.sessionId].sort());
      await auth.client.call(RpcSubject.refresh, { refreshToken: phone.refreshToken });
    });
  });

  describe('revokeAllSessions with a valid step-up', () => {
    it('keeps the current session when includeCurrent is false and bumps the epoch for everyone', async () => {
      const { account, tv, phone, laptop, devices } = await householdStub();
      const reauthToken = await auth.stepUp(account, tv.sessionId);
      const { revocationId } = await auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken, includeCurrent: false });

      expect(await auth.epochOf(account.accountId)).toBe(2);
      expect(await auth.liveSessionIds(account.accountId)).toEqual([tv.sessionId]);
      const event = await auth.events.revocation(revocationId);
      expect(event.subject).toBe(EventSubject.accountEpochBumped);
      const payload = event.payload as AccountEpochBumpedV1;
      expect(payload).toMatchObject({ accountId: account.accountId, epoch: 2, exceptSessionId: tv.sessionId, reason: 'sign_out_all' });
      expect([...payload.sessionIds].sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
      // Paired: deviceIds[i] is the device that signed in with sessionIds[i].
      expect(payload.deviceIds).toEqual(payload.sessionIds.map((id) => devices[id]));

      const { rows } = await auth.sql.query('SELECT scope, reason, requested_by_session_id FROM auth.revocations WHERE id = $1', [revocationId]);
      expect(rows).toEqual([{ scope: 'all_devices', reason: 'sign_out_all', requested_by_session_id: tv.sessionId }]);

      for (const revoked of [phone, laptop]) {
        const refused = await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: revoked.refreshToken }), 'SESSION_REVOKED');
        expect(refused.details.logout).toEqual({ revocationId, purgeDownloads: true });
      }
      // The current device carries on, with tokens of the new epoch.
      const kept = await auth.client.call(RpcSubject.refresh, { refreshToken: tv.refreshToken });
      expect((await auth.verifyAccessToken(kept.accessToken)).claims.epoch).toBe(2);
    });

    it('signs the current session out too when includeCurrent is true', async () => {
      const { account, tv, phone, laptop, devices } = await householdStub();
      const reauthToken = await auth.stepUp(account, tv.sessionId);
      const { revocationId } = await auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken, includeCurrent: true });

      expect(await auth.liveSessionIds(account.accountId)).toEqual([]);
      const payload = (await auth.events.revocation(revocationId)).payload as AccountEpochBumpedV1;
      expect(payload.exceptSessionId).toBeUndefined();
      expect([...payload.sessionIds].sort()).toEqual([tv.sessionId, phone.sessionId, laptop.sessionId].sort());
      expect(payload.deviceIds).toEqual(payload.sessionIds.map((id) => devices[id]));
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: tv.refreshToken }), 'SESSION_REVOKED');
    });

    it('serialises with a sign-in: a device signing in afterwards gets the new epoch', async () => {
      const { account, tv } = await householdStub();
      const reauthToken = await auth.stepUp(account, tv.sessionId);
      await auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken, includeCurrent: true });
      const later = await auth.login(account);
      expect((await auth.verifyAccessToken(later.accessToken)).claims.epoch).toBe(2);
    });
  });

  describe('signOutDevice', () => {
    it('revokes the live session of that device only, without step-up', async () => {
      const { account, tv, phone, laptop, devices } = await householdStub();
      const { revocationId } = await auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: devices[phone.sessionId] });

      expect(await auth.liveSessionIds(account.accountId)).toEqual([tv.sessionId, laptop.sessionId].sort());
      expect(await auth.epochOf(account.accountId)).toBe(1);
      const event = await auth.events.revocation(revocationId);
      expect(event.subject).toBe(EventSubject.sessionRevoked);
      expect(event.payload as SessionRevokedV1).toMatchObject({
        accountId: account.accountId,
        sessionIds: [phone.sessionId],
        deviceIds: [devices[phone.sessionId]],
        reason: 'sign_out_device',
      });
      const { rows } = await auth.sql.query('SELECT scope, requested_by_session_id FROM auth.revocations WHERE id = $1', [revocationId]);
      expect(rows).toEqual([{ scope: 'device', requested_by_session_id: tv.sessionId }]);
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: phone.refreshToken }), 'SESSION_REVOKED');
      await auth.client.call(RpcSubject.refresh, { refreshToken: laptop.refreshToken });
    });

    it('answers DEVICE_NOT_FOUND for an unknown or already signed-out device, and for another account’s device', async () => {
      const { account, tv, phone, devices } = await householdStub();
      await expectCode(auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: 'no-such-device' }), 'DEVICE_NOT_FOUND');
      await auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: devices[phone.sessionId] });
      await expectCode(auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: devices[phone.sessionId] }), 'DEVICE_NOT_FOUND');

      const neighbour = await householdStub();
      await expectCode(
        auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: neighbour.devices[neighbour.phone.sessionId] }),
        'DEVICE_NOT_FOUND',
      );
      expect(await auth.liveSessionIds(neighbour.account.accountId)).toHaveLength(3);
    });
  });

  describe('when Postgres fails in the middle of a revocation', () => {
    // The outbox insert is the last write of every revocation: fail it the way a database that
    // is shutting down answers (SQLSTATE 57P01, admin_shutdown).
    async function failOutboxInserts(): Promise<void> {
      await auth.sql.query(`
        CREATE FUNCTION auth.test_fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure: the database is going away' USING ERRCODE = '57P01'; END $$`);
      await auth.sql.query('CREATE TRIGGER test_fail_outbox BEFORE INSERT ON auth.outbox FOR EACH ROW EXECUTE FUNCTION auth.test_fail_outbox()');
    }

    afterEach(async () => {
      await auth.sql.query('DROP TRIGGER IF EXISTS test_fail_outbox ON auth.outbox');
      await auth.sql.query('DROP FUNCTION IF EXISTS auth.test_fail_outbox()');
    });

    it('answers DEPENDENCY_UNAVAILABLE and leaves nothing half-written', async () => {
      const { account, tv, phone, devices } = await householdStub();
      const reauthToken = await auth.stepUp(account, tv.sessionId);
      await failOutboxInserts();

      await expectCode(auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken, includeCurrent: true }), 'DEPENDENCY_UNAVAILABLE');
      await expectCode(auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: devices[phone.sessionId] }), 'DEPENDENCY_UNAVAILABLE');
      await expectCode(auth.client.call(RpcSubject.logout, { accountId: account.accountId, sessionId: tv.sessionId }), 'DEPENDENCY_UNAVAILABLE');

      expect(await auth.epochOf(account.accountId)).toBe(1);
      expect(await auth.liveSessionIds(account.accountId)).toHaveLength(3);
      const revocations = await auth.sql.query('SELECT id FROM auth.revocations WHERE account_id = $1', [account.accountId]);
      expect(revocations.rows).toEqual([]);
      // The step-up was not spent either: the whole transaction rolled back.
      const reauth = await auth.sql.query('SELECT used_at FROM auth.reauth_tokens WHERE session_id = $1', [tv.sessionId]);
      expect(reauth.rows).toEqual([{ used_at: null }]);
    });
  });

  it('publishes exactly one stream message per revocation', async () => {
    const { rows } = await auth.sql.query<{ id: string }>('SELECT id FROM auth.revocations');
    expect(rows.length).toBeGreaterThan(5);
    await expectEventually(async () => {
      const unpublished = await auth.sql.query('SELECT id FROM auth.outbox WHERE published_at IS NULL');
      expect(unpublished.rows).toEqual([]);
      expect(auth.events.events).toHaveLength(await auth.events.storedCount());
    });
    for (const { id } of rows) expect(auth.events.withRevocationId(id)).toHaveLength(1);
    const revocationEvents = auth.events.events.filter((e) => e.subject !== EventSubject.sessionStarted);
    expect(revocationEvents).toHaveLength(rows.length);
  });
});
