import { EventSubject, LoginReply, RotateSigningKeysReply, RpcSubject, TOKEN_POLICY } from '@signoff/contracts';
import { expectEventually } from '@signoff/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AuthHarness, TestAccount } from '../testing/auth-test-harness';
import { SigningKeyRotation } from './signing-key-rotation.service';

const LEAD_SECONDS = 2;
const TTL_SECONDS = 10;
/** How long a succeeded key stays published: every token it signed has expired by then. */
const OVERLAP_SECONDS = TTL_SECONDS + TOKEN_POLICY.clockToleranceSeconds;

/** A token as a test sees it: which key signed it and when (JWT `iat`, whole seconds). */
interface Minted {
  token: string;
  kid: string;
  iatMs: number;
}

/**
 * One rotation on demand followed through its life: published at once, signing after the
 * publish lead, the old key published until its last token has expired, then retired.
 */
describe('signing-key rotation on demand (publish lead, overlap, retirement)', () => {
  let auth: AuthHarness;
  let account: TestAccount;
  let pair: LoginReply;
  let oldKid: string;
  let rotation: RotateSigningKeysReply;

  beforeAll(async () => {
    auth = await AuthHarness.start({
      SIGNING_KEY_PUBLISH_LEAD_SECONDS: String(LEAD_SECONDS),
      ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS),
      SIGNING_KEY_CHECK_INTERVAL_SECONDS: '1',
    });
    account = await auth.signUp();
    pair = await auth.login(account);
    oldKid = minted(pair.accessToken).kid;
  });

  afterAll(async () => {
    await auth?.close();
  });

  function minted(token: string): Minted {
    return { token, kid: String(decodeProtectedHeader(token).kid), iatMs: Number(decodeJwt(token).iat) * 1000 };
  }

  /** A fresh access token, through a refresh (cheap; rotates the refresh token as a device would). */
  async function mint(): Promise<Minted> {
    pair = { ...pair, ...(await auth.client.call(RpcSubject.refresh, { refreshToken: pair.refreshToken })) };
    return minted(pair.accessToken);
  }

  async function listedKids(): Promise<string[]> {
    return (await auth.client.call(RpcSubject.listSigningKeys, {})).keys.map((key) => key.kid);
  }

  it('publishes the new key at once and signs with it only from the end of the publish lead', async () => {
    expect(await listedKids()).toEqual([oldKid]);

    const asked = Date.now();
    rotation = await auth.client.call(RpcSubject.rotateSigningKeys, {});
    const activatesAt = Date.parse(rotation.activatesAt);
    expect(rotation).toEqual({ kid: expect.any(String), activatesAt: expect.any(String), created: true });
    expect(rotation.kid).not.toBe(oldKid);
    expect(activatesAt - asked).toBeGreaterThanOrEqual(LEAD_SECONDS * 1000 - 50);
    expect(activatesAt - asked).toBeLessThan(LEAD_SECONDS * 1000 + 1_000);
    expect(await listedKids()).toEqual([rotation.kid, oldKid]);

    // A second request during the lead (another operator, a retry) rotates nothing more.
    expect(await auth.client.call(RpcSubject.rotateSigningKeys, {})).toEqual({ ...rotation, created: false });

    // Mint through the lead and past it: the old key until activation, the new one from then on.
    const tokens: Minted[] = [];
    await expectEventually(
      async () => {
        const token = await mint();
        tokens.push(token);
        expect(token.kid).toBe(rotation.kid);
      },
      { timeoutMs: LEAD_SECONDS * 1000 + 3_000, intervalMs: 100 },
    );
    const [before, after] = [tokens.filter((t) => t.kid === oldKid), tokens.filter((t) => t.kid === rotation.kid)];
    expect(before.length).toBeGreaterThan(5);
    expect(before.length + after.length).toBe(tokens.length);
    // `iat` is whole seconds: a token of the new key is never from a second before its activation.
    for (const token of after) expect(token.iatMs).toBeGreaterThanOrEqual(Math.floor(activatesAt / 1000) * 1000);
    for (const token of before) expect(token.iatMs).toBeLessThanOrEqual(activatesAt);

    // Both verify against the published set: the overlap.
    expect((await auth.verifyAccessToken(after[0].token)).header.kid).toBe(rotation.kid);
    expect((await auth.verifyAccessToken(before[before.length - 1].token)).header.kid).toBe(oldKid);
    expect(await listedKids()).toEqual([rotation.kid, oldKid]);
  });

  it('writes one security.keys.rotated.v1 for the rotation, through the outbox', async () => {
    const event = await auth.events.waitFor(EventSubject.keysRotated, (e) => e.kid === rotation.kid);
    expect(event).toEqual({
      eventId: expect.any(String),
      occurredAt: expect.any(String),
      kid: rotation.kid,
      activatesAt: rotation.activatesAt,
      retiredKids: [],
    });
    expect(Date.parse(rotation.activatesAt) - Date.parse(event.occurredAt)).toBe(LEAD_SECONDS * 1000);
    expect(auth.events.of(EventSubject.keysRotated)).toHaveLength(1);
  });

  it('keeps the old key published until every token it signed has expired, then retires it', async () => {
    // Travel in time: the new key has been signing for all but the last three seconds of the
    // overlap (a real wait would be TTL + clock tolerance = 40 s).
    await auth.sql.query(`UPDATE auth.signing_keys SET activated_at = now() - make_interval(secs => $2) WHERE kid = $1`, [rotation.kid, OVERLAP_SECONDS - 3]);
    const { rows } = await auth.sql.query<{ activated_at: Date }>('SELECT activated_at FROM auth.signing_keys WHERE kid = $1', [rotation.kid]);
    const activatedAt = rows[0].activated_at;

    // Not yet: a token the old key signed just before the new one activated may still be valid.
    expect((await auth.app.get(SigningKeyRotation).runSchedule()).retiredKids).toEqual([]);
    expect(await listedKids()).toEqual([rotation.kid, oldKid]);

    // The replica's own timer retires it once the overlap is over, and says so.
    await expectEventually(async () => expect(await listedKids()).toEqual([rotation.kid]), { timeoutMs: 6_000, intervalMs: 100 });
    const retired = await auth.sql.query<{ retired_at: Date }>('SELECT retired_at FROM auth.signing_keys WHERE kid = $1', [oldKid]);
    expect(retired.rows[0].retired_at.getTime() - activatedAt.getTime()).toBeGreaterThanOrEqual(OVERLAP_SECONDS * 1000);
    const event = await auth.events.waitFor(EventSubject.keysRotated, (e) => e.retiredKids.length > 0);
    expect(event).toEqual({
      eventId: expect.any(String),
      occurredAt: expect.any(String),
      kid: rotation.kid,
      activatesAt: activatedAt.toISOString(),
      retiredKids: [oldKid],
    });

    // Retired means retired: the signer goes on with the new key, nothing else is published.
    expect((await mint()).kid).toBe(rotation.kid);
    expect(auth.events.of(EventSubject.keysRotated)).toHaveLength(2);
  });
});
