import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * A stolen refresh token, replayed after the TV has rotated it: the replay is refused, and the
 * TV's session ends everywhere — the TV, connected to the other gateway, is told and cut at once,
 * its newest tokens stop working on both gateways, and the holder sees why in the device history.
 */
describe('reuse of a rotated refresh token (two gateways)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('signs the session out everywhere and cuts its device; other devices are untouched', async () => {
    const { tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const stolen = tv.tokens!.refreshToken;
    await tv.refresh();
    const tvTokens = { ...tv.tokens! };
    expect(tvTokens.refreshToken).not.toBe(stolen);
    const tvOut = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      tv.once('signed-out', (event) => void tv.closed().then(({ code }) => resolve({ event, code })));
    });

    const replay = await http(stack.gateway(1), 'POST', '/v1/auth/refresh', { body: { refreshToken: stolen } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');

    const { event, code } = await tvOut;
    expect(event).toMatchObject({ reason: 'refresh_token_reused', via: 'websocket' });
    expect(code).toBe(4001);

    // The thief's replay and the TV's own newest tokens are all dead, on both gateways.
    for (const gateway of [0, 1]) {
      const whoami = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: tvTokens.accessToken });
      expect({ gateway, status: whoami.status, code: whoami.body.error.code }).toEqual({ gateway, status: 401, code: 'SESSION_REVOKED' });
    }
    const newest = await http(stack.gateway(1), 'POST', '/v1/auth/refresh', { body: { refreshToken: tvTokens.refreshToken } });
    expect(newest.status).toBe(401);
    expect(newest.body.logout.revocationId).toBe(event.revocationId);

    // The phone is still signed in and sees the TV's revocation settle.
    await expect(phone.whoami()).resolves.toMatchObject({ deviceId: 'phone' });
    await expectEventually(async () => {
      const progress = await phone.request<{ devices: Array<{ deviceId: string; state: string }> }>('GET', `/v1/revocations/${event.revocationId}`);
      expect(progress.devices).toEqual([expect.objectContaining({ deviceId: 'tv', state: 'acknowledged' })]);
    });

    // The account's history tells it, page by page: the reuse alert on top, the sign-ins below.
    type Page = { entries: Array<{ deviceId: string; deviceName: string; kind: string; detail: string | null }>; nextCursor: string | null };
    const seen: Page['entries'] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await phone.request<Page>('GET', `/v1/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.find((e) => e.kind === 'revocation')).toMatchObject({ deviceId: 'tv', deviceName: 'TV', detail: 'refresh_token_reused' });
    expect(seen.filter((e) => e.kind === 'signed_in').map((e) => e.deviceId).sort()).toEqual(['phone', 'tv']);
    const bad = await http(stack.gateway(1), 'GET', '/v1/history?limit=500', { token: phone.tokens!.accessToken });
    expect({ status: bad.status, code: bad.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
