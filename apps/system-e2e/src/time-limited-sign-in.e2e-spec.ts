import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually } from '@signoff/testing';
import { Client } from 'pg';
import { http, TestStack } from './support/test-stack';

/**
 * A hotel TV signed in for one hour: at the end of the hour the session ends by itself — the TV,
 * connected to the other gateway, gets the logout directive (reason `session_expired`) and close
 * 4001, its tokens stop working, and the holder's phone sees the sign-out like any other.
 * The hour is made to pass by moving the session's end in the database.
 */
describe('time-limited sign-in (two gateways)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, authEnv: { SESSION_EXPIRY_SWEEP_SECONDS: '1' } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('signs the hotel TV out by itself when its hour is up, with the usual fan-out', async () => {
    const holder = await stack.signUp();
    const phone = stack.device(0, { id: 'phone', type: 'phone', name: 'Phone' });
    await phone.signIn(holder.email, holder.password);
    const hotelTv = stack.device(1, { id: 'hotel-tv', type: 'tv', name: 'Hotel room TV' });
    await hotelTv.signIn(holder.email, holder.password, { sessionLifetimeSeconds: 3600 });
    await hotelTv.connect();
    const out = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      hotelTv.once('signed-out', (event) => void hotelTv.closed().then(({ code }) => resolve({ event, code })));
    });
    const accessToken = hotelTv.tokens!.accessToken;
    const sessionId = hotelTv.tokens!.sessionId;

    // Its access token never reaches past the hour.
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);

    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE auth.sessions SET absolute_expires_at = now() WHERE id = $1`, [sessionId]);
    } finally {
      await db.end();
    }

    const { event, code } = await out;
    expect(event).toMatchObject({ reason: 'session_expired', via: 'websocket' });
    expect(code).toBe(4001);
    for (const gateway of [0, 1]) {
      const whoami = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: accessToken });
      expect({ gateway, status: whoami.status, code: whoami.body.error.code }).toEqual({ gateway, status: 401, code: 'SESSION_REVOKED' });
    }
    await expectEventually(async () => {
      const progress = await phone.request<{ scope: string; devices: Array<{ deviceId: string; state: string }> }>('GET', `/v1/revocations/${event.revocationId}`);
      expect(progress.scope).toBe('session');
      expect(progress.devices).toEqual([expect.objectContaining({ deviceId: 'hotel-tv', state: 'acknowledged' })]);
    });
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
  });

  it('refuses a lifetime outside one hour to three days', async () => {
    const holder = await stack.signUp();
    for (const sessionLifetimeSeconds of [60, 4 * 86400]) {
      const answer = await http(stack.gateway(0), 'POST', '/v1/auth/login', {
        body: { email: holder.email, password: holder.password, device: { id: 'tv', type: 'tv', name: 'TV' }, sessionLifetimeSeconds },
      });
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });
});
