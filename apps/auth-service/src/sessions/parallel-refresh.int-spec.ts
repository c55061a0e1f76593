import { RefreshReply, RpcSubject, SignoffError } from '@signoff/contracts';
import { AuthHarness, expectCode } from '../testing/auth-test-harness';

/**
 * Twenty parallel refreshes of one refresh token (a client retrying too eagerly, or a thief
 * racing the device): one wins, and nothing forks — every other attempt is a reuse of a rotated
 * token, which signs the session out (RFC 9700 §4.14.2), so no second token chain survives.
 */
describe('auth-service: twenty parallel refreshes of one token', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
  });

  afterAll(async () => {
    await auth?.close();
  });

  it('lets exactly one win, refuses the rest as reuse, and leaves no live token chain', async () => {
    const account = await auth.signUp();
    const login = await auth.login(account);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken }).then(
          (reply): { ok: true; reply: RefreshReply } => ({ ok: true, reply }),
          (error: unknown): { ok: false; code: string } => ({ ok: false, code: error instanceof SignoffError ? error.code : String(error) }),
        ),
      ),
    );

    const winners = outcomes.filter((o): o is { ok: true; reply: RefreshReply } => o.ok);
    const losers = outcomes.filter((o): o is { ok: false; code: string } => !o.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    // The first loser detects the reuse; those after it find the session already revoked by it.
    for (const loser of losers) expect(['REFRESH_TOKEN_REUSED', 'SESSION_REVOKED']).toContain(loser.code);
    expect(losers.some((l) => l.code === 'REFRESH_TOKEN_REUSED')).toBe(true);

    // Nothing forked: the winner's new refresh token is dead too, and the session is revoked.
    await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: winners[0].reply.refreshToken }), 'SESSION_REVOKED');
    expect((await auth.sessionRow(login.sessionId)).revoke_reason).toBe('refresh_token_reused');
    const event = await auth.events.revocation((await auth.sessionRow(login.sessionId)).revocation_id as string);
    expect(event.subject).toBe('security.session.revoked.v1');
  });
});
