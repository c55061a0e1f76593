import { DeviceType, REFRESH_LIFETIMES, RpcSubject } from '@signoff/contracts';
import { AuthHarness, deviceStub } from '../testing/auth-test-harness';

/** Refresh-token lifetimes follow the device class, under the deployment's caps. */
describe('auth-service: refresh lifetimes per device class', () => {
  let auth: AuthHarness;
  let capped: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
    capped = await AuthHarness.start({ REFRESH_IDLE_SECONDS: '3600', REFRESH_ABSOLUTE_SECONDS: '7200' });
  });

  afterAll(async () => {
    await auth?.close();
    await capped?.close();
  });

  const lifetimes = async (harness: AuthHarness, sessionId: string): Promise<{ idle: number; absolute: number }> => {
    const { rows } = await harness.sql.query<{ idle: string; absolute: string }>(
      `SELECT extract(epoch FROM idle_expires_at - created_at) AS idle, extract(epoch FROM absolute_expires_at - created_at) AS absolute
         FROM auth.sessions WHERE id = $1`,
      [sessionId],
    );
    return { idle: Math.round(Number(rows[0].idle)), absolute: Math.round(Number(rows[0].absolute)) };
  };

  it.each<DeviceType>(['tv', 'phone', 'computer', 'browser'])('gives a %s its class lifetimes at sign-in and keeps them on refresh', async (type) => {
    const account = await auth.signUp();
    const login = await auth.login(account, deviceStub({ type }));
    const expected = { idle: REFRESH_LIFETIMES[type].idleSeconds, absolute: REFRESH_LIFETIMES[type].absoluteSeconds };
    expect(await lifetimes(auth, login.sessionId)).toEqual(expected);
    await auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken });
    const afterRefresh = await lifetimes(auth, login.sessionId);
    expect(afterRefresh.absolute).toBe(expected.absolute);
    // The idle deadline slid forward from the refresh, by the class's idle lifetime.
    expect(afterRefresh.idle).toBeGreaterThanOrEqual(expected.idle);
    expect(afterRefresh.idle).toBeLessThan(expected.idle + 60);
  });

  it('caps every class by the deployment settings', async () => {
    const account = await capped.signUp();
    const login = await capped.login(account, deviceStub({ type: 'tv' }));
    expect(await lifetimes(capped, login.sessionId)).toEqual({ idle: 3600, absolute: 7200 });
  });
});
