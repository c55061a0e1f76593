import { randomUUID } from 'node:crypto';
import { EventSubject, RpcSubject, TOKEN_POLICY } from '@signoff/contracts';
import { decodeJwt } from 'jose';
import { AuthHarness, deviceStub, expectCode, TestAccount } from '../testing/auth-test-harness';

describe('auth-service sessions (login, tokens, refresh, logout)', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
  });

  afterAll(async () => {
    await auth?.close();
  });

  describe('login', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await auth.signUp();
    });

    it('opens a session, returns a token pair and announces the sign-in', async () => {
      const device = deviceStub({ type: 'phone', name: 'Ana’s phone', os: 'iOS 18' });
      const login = await auth.client.call(RpcSubject.login, {
        email: `  ${account.email.toUpperCase()} `,
        password: account.password,
        device,
        ip: '203.0.113.7',
        userAgent: 'SignoffApp/5.2',
      });
      expect(login).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/),
        expiresIn: TOKEN_POLICY.accessTokenTtlSeconds,
        sessionId: expect.any(String),
        accountId: account.accountId,
      });

      const { rows } = await auth.sql.query('SELECT account_id, device_id, device_type, revoked_at FROM auth.sessions WHERE id = $1', [login.sessionId]);
      expect(rows).toEqual([{ account_id: account.accountId, device_id: device.id, device_type: 'phone', revoked_at: null }]);
      // Only the hash of the refresh token is stored.
      const tokens = await auth.sql.query<{ token_hash: string }>('SELECT token_hash FROM auth.refresh_tokens WHERE session_id = $1', [login.sessionId]);
      expect(tokens.rows).toHaveLength(1);
      expect(tokens.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(tokens.rows[0].token_hash).not.toContain(login.refreshToken.slice(3));

      const started = await auth.events.waitFor(EventSubject.sessionStarted, (e) => e.sessionId === login.sessionId);
      expect(started).toEqual({
        eventId: expect.any(String),
        occurredAt: expect.any(String),
        accountId: account.accountId,
        sessionId: login.sessionId,
        device,
        ip: '203.0.113.7',
        userAgent: 'SignoffApp/5.2',
      });
    });

    it('answers INVALID_CREDENTIALS alike for an unknown email and a wrong password', async () => {
      const unknown = await expectCode(auth.login({ ...account, email: `nobody-${account.email}` }), 'INVALID_CREDENTIALS');
      const wrong = await expectCode(auth.login({ ...account, password: `${account.password}!` }), 'INVALID_CREDENTIALS');
      expect(unknown.message).toBe(wrong.message);
      expect(unknown.details).toEqual(wrong.details);
    });

    it('rejects a malformed device with VALIDATION_FAILED', async () => {
      const error = await expectCode(auth.login(account, deviceStub({ id: 'has spaces' })), 'VALIDATION_FAILED');
      expect(error.details.fields).toContain('device.id');
    });

    it('replaces the live session of the same device and says so on the stream', async () => {
      const device = deviceStub();
      const first = await auth.login(account, device);
      const second = await auth.login(account, device);
      expect(second.sessionId).not.toBe(first.sessionId);

      const old = await auth.sessionRow(first.sessionId);
      expect(old.revoke_reason).toBe('replaced_by_new_sign_in');
      expect(old.revocation_id).toEqual(expect.any(String));
      const event = await auth.events.revocation(old.revocation_id as string);
      expect(event.subject).toBe(EventSubject.sessionRevoked);
      expect(event.payload).toMatchObject({ accountId: account.accountId, sessionIds: [first.sessionId], deviceIds: [device.id], reason: 'replaced_by_new_sign_in' });
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: first.refreshToken }), 'SESSION_REVOKED');
      await auth.client.call(RpcSubject.refresh, { refreshToken: second.refreshToken });
    });
  });

  describe('access tokens', () => {
    it('verify against the published keys and carry the pinned header and claims', async () => {
      const account = await auth.signUp({ plan: 'premium' });
      const device = deviceStub();
      const login = await auth.login(account, device);
      const { header, claims } = await auth.verifyAccessToken(login.accessToken);
      const { keys } = await auth.client.call(RpcSubject.listSigningKeys, {});

      expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: keys[0].kid });
      expect(claims).toEqual({
        sub: account.accountId,
        sid: login.sessionId,
        did: device.id,
        epoch: 1,
        plan: 'premium',
        iss: TOKEN_POLICY.issuer,
        aud: TOKEN_POLICY.audience,
        iat: expect.any(Number),
        nbf: claims.iat,
        exp: claims.iat + TOKEN_POLICY.accessTokenTtlSeconds,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(5);
    });

    it('publishes public key material only', async () => {
      const { keys } = await auth.client.call(RpcSubject.listSigningKeys, {});
      expect(keys).toHaveLength(1);
      expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(keys[0]).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig', e: 'AQAB' });
      // 2048-bit modulus: 256 bytes, 342 base64url characters.
      expect(keys[0].n).toHaveLength(342);
    });
  });

  describe('refresh', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await auth.signUp();
    });

    it('rotates the refresh token and mints a new access token for the same session', async () => {
      const login = await auth.login(account);
      const refreshed = await auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken });
      expect(refreshed).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^rt_/),
        expiresIn: TOKEN_POLICY.accessTokenTtlSeconds,
        sessionId: login.sessionId,
      });
      expect(refreshed.refreshToken).not.toBe(login.refreshToken);
      const { claims } = await auth.verifyAccessToken(refreshed.accessToken);
      expect(claims).toMatchObject({ sub: account.accountId, sid: login.sessionId, epoch: 1 });
      expect(claims.jti).not.toBe(decodeJwt(login.accessToken).jti);

      const again = await auth.client.call(RpcSubject.refresh, { refreshToken: refreshed.refreshToken });
      expect(again.sessionId).toBe(login.sessionId);
    });

    it('treats reuse of a rotated token as theft: REFRESH_TOKEN_REUSED, session revoked, event published', async () => {
      const login = await auth.login(account);
      const rotated = await auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken });

      const reused = await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken }), 'REFRESH_TOKEN_REUSED');
      const session = await auth.sessionRow(login.sessionId);
      expect(session.revoked_at).not.toBeNull();
      expect(session.revoke_reason).toBe('refresh_token_reused');
      expect(reused.details).toMatchObject({ logout: { revocationId: session.revocation_id, purgeDownloads: true }, sessionId: login.sessionId });

      const event = await auth.events.revocation(session.revocation_id as string);
      expect(event.subject).toBe(EventSubject.sessionRevoked);
      expect(event.payload).toMatchObject({ accountId: account.accountId, sessionIds: [login.sessionId], reason: 'refresh_token_reused' });

      // The legitimate holder's newer token dies with the session.
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: rotated.refreshToken }), 'SESSION_REVOKED');
    });

    it('refuses a refresh after logout with SESSION_REVOKED and the logout directive', async () => {
      const device = deviceStub();
      const login = await auth.login(account, device);
      const { revocationId } = await auth.client.call(RpcSubject.logout, { accountId: account.accountId, sessionId: login.sessionId });

      const refused = await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken }), 'SESSION_REVOKED');
      expect(refused.details).toEqual({
        logout: { revocationId, purgeDownloads: true },
        accountId: account.accountId,
        deviceId: device.id,
        sessionId: login.sessionId,
      });

      // Logout is idempotent: the same revocation, one event.
      const again = await auth.client.call(RpcSubject.logout, { accountId: account.accountId, sessionId: login.sessionId });
      expect(again.revocationId).toBe(revocationId);
      const event = await auth.events.revocation(revocationId);
      expect(event.payload).toMatchObject({ sessionIds: [login.sessionId], deviceIds: [device.id], reason: 'logout' });
      const { rows } = await auth.sql.query('SELECT scope, reason, requested_by_session_id FROM auth.revocations WHERE id = $1', [revocationId]);
      expect(rows).toEqual([{ scope: 'session', reason: 'logout', requested_by_session_id: login.sessionId }]);
    });

    it('refuses an unknown token with REFRESH_TOKEN_INVALID', async () => {
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: 'rt_not-a-token-we-issued' }), 'REFRESH_TOKEN_INVALID');
    });

    it.each([
      ['idle', 'idle_expires_at'],
      ['absolute', 'absolute_expires_at'],
    ])('refuses a session past its %s lifetime with SESSION_EXPIRED', async (_kind, column) => {
      const login = await auth.login(account);
      await auth.sql.query(`UPDATE auth.sessions SET ${column} = now() - interval '1 second' WHERE id = $1`, [login.sessionId]);
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken }), 'SESSION_EXPIRED');
      // Nothing rotated: the token was not spent.
      const { rows } = await auth.sql.query('SELECT superseded_at FROM auth.refresh_tokens WHERE session_id = $1', [login.sessionId]);
      expect(rows).toEqual([{ superseded_at: null }]);
    });

    it('slides the idle expiry on each refresh, never past the absolute one', async () => {
      const login = await auth.login(account);
      await auth.sql.query(`UPDATE auth.sessions SET idle_expires_at = now() + interval '1 minute', absolute_expires_at = now() + interval '1 hour' WHERE id = $1`, [login.sessionId]);
      await auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken });
      const { rows } = await auth.sql.query<{ idle: Date; absolute: Date }>('SELECT idle_expires_at AS idle, absolute_expires_at AS absolute FROM auth.sessions WHERE id = $1', [login.sessionId]);
      expect(rows[0].idle.getTime()).toBe(rows[0].absolute.getTime());
    });
  });

  describe('session check (asked by a gateway whose revocation view is stale)', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await auth.signUp();
    });

    it('answers for a live session, and SESSION_REVOKED with the logout directive once any sign-out has committed', async () => {
      const phone = await auth.login(account, deviceStub({ type: 'phone' }));
      const tv = deviceStub({ type: 'tv' });
      const tvLogin = await auth.login(account, tv);
      await expect(auth.client.call(RpcSubject.checkSession, { accountId: account.accountId, sessionId: tvLogin.sessionId })).resolves.toEqual({});

      // "Sign out the others" from the phone: the TV is refused, the phone, spared, is not.
      const reauthToken = await auth.stepUp(account, phone.sessionId);
      const { revocationId } = await auth.client.call(RpcSubject.revokeAllSessions, {
        accountId: account.accountId,
        sessionId: phone.sessionId,
        reauthToken,
        includeCurrent: false,
      });
      const refused = await expectCode(auth.client.call(RpcSubject.checkSession, { accountId: account.accountId, sessionId: tvLogin.sessionId }), 'SESSION_REVOKED');
      expect(refused.details).toEqual({ logout: { revocationId, purgeDownloads: true }, accountId: account.accountId, deviceId: tv.id, sessionId: tvLogin.sessionId });
      await expect(auth.client.call(RpcSubject.checkSession, { accountId: account.accountId, sessionId: phone.sessionId })).resolves.toEqual({});
    });

    it('refuses a session of another account, or none, with TOKEN_INVALID', async () => {
      const other = await auth.signUp();
      const login = await auth.login(other);
      await expectCode(auth.client.call(RpcSubject.checkSession, { accountId: account.accountId, sessionId: login.sessionId }), 'TOKEN_INVALID');
      await expectCode(auth.client.call(RpcSubject.checkSession, { accountId: account.accountId, sessionId: randomUUID() }), 'TOKEN_INVALID');
    });
  });
});
