import { EventSubject, RpcSubject, TIME_LIMITED_SIGN_IN } from '@signoff/contracts';
import { expectEventually } from '@signoff/testing';
import { decodeJwt } from 'jose';
import { AuthHarness, deviceStub, expectCode } from '../testing/auth-test-harness';

/**
 * Time-limited sign-in (a borrowed or hotel screen): the session lives as long as asked, tokens
 * never outlive it, and at its end it is signed out by itself with the usual event.
 */
describe('auth-service time-limited sign-in and session expiry', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start({ SESSION_EXPIRY_SWEEP_SECONDS: '1' });
  });

  afterAll(async () => {
    await auth?.close();
  });

  const loginFor = (account: { email: string; password: string }, sessionLifetimeSeconds?: number) =>
    auth.client.call(RpcSubject.login, {
      email: account.email,
      password: account.password,
      device: deviceStub({ type: 'tv', name: 'Hotel TV' }),
      ...(sessionLifetimeSeconds === undefined ? {} : { sessionLifetimeSeconds }),
    });

  it('ends the session at the time asked for, as a revocation with reason session_expired', async () => {
    const account = await auth.signUp();
    const hotel = await loginFor(account, 2 * 3600);
    const { rows } = await auth.sql.query<{ lifetime: number; idle: number }>(
      `SELECT extract(epoch FROM absolute_expires_at - created_at)::int AS lifetime, extract(epoch FROM idle_expires_at - created_at)::int AS idle FROM auth.sessions WHERE id = $1`,
      [hotel.sessionId],
    );
    expect(rows[0]).toEqual({ lifetime: 7200, idle: 7200 });
    const other = await auth.login(account);

    // The two hours are up.
    await auth.sql.query(`UPDATE auth.sessions SET absolute_expires_at = now() - interval '1 second' WHERE id = $1`, [hotel.sessionId]);
    const revoked = await auth.events.waitFor(EventSubject.sessionRevoked, (e) => e.sessionIds.includes(hotel.sessionId));
    expect(revoked).toMatchObject({ accountId: account.accountId, reason: 'session_expired', deviceIds: [expect.any(String)] });
    expect(await auth.sessionRow(hotel.sessionId)).toMatchObject({ revoke_reason: 'session_expired', revocation_id: revoked.revocationId });
    const refused = await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: hotel.refreshToken }), 'SESSION_REVOKED');
    expect(refused.details.logout).toEqual({ revocationId: revoked.revocationId, purgeDownloads: true });
    // Nothing else of the account is touched.
    expect(await auth.liveSessionIds(account.accountId)).toEqual([other.sessionId]);
  });

  it('never mints an access token that outlives its session', async () => {
    const account = await auth.signUp();
    const hotel = await loginFor(account, TIME_LIMITED_SIGN_IN.minSeconds);
    await auth.sql.query(`UPDATE auth.sessions SET absolute_expires_at = now() + interval '90 seconds' WHERE id = $1`, [hotel.sessionId]);
    const refreshed = await auth.client.call(RpcSubject.refresh, { refreshToken: hotel.refreshToken });
    expect(refreshed.expiresIn).toBeLessThanOrEqual(90);
    const claims = decodeJwt(refreshed.accessToken);
    expect(claims.exp! - claims.iat!).toBe(refreshed.expiresIn);
  });

  it('signs out ordinary sessions past their idle limit too', async () => {
    const account = await auth.signUp();
    const phone = await auth.login(account);
    await auth.sql.query(`UPDATE auth.sessions SET idle_expires_at = now() - interval '1 second' WHERE id = $1`, [phone.sessionId]);
    await expectEventually(async () => expect(await auth.sessionRow(phone.sessionId)).toMatchObject({ revoke_reason: 'session_expired' }));
  });

  it.each([TIME_LIMITED_SIGN_IN.minSeconds - 1, TIME_LIMITED_SIGN_IN.maxSeconds + 1, 3600.5])('refuses a lifetime of %p seconds', async (seconds) => {
    const account = await auth.signUp();
    const error = await expectCode(loginFor(account, seconds), 'VALIDATION_FAILED');
    expect(error.details.fields).toContain('sessionLifetimeSeconds');
  });
});
