import { AccountEpochBumpedV1, LoginReply, RefreshReply, RpcSubject, SignoffError } from '@signoff/contracts';
import { decodeJwt } from 'jose';
import { AuthHarness, deviceStub, expectCode } from '../testing/auth-test-harness';

type Outcome = { arrival: number; sessionId: string; presented: string } & ({ ok: true; reply: RefreshReply } | { ok: false; error: SignoffError });

/**
 * SECURITY "faults the system must survive": 50 parallel refreshes racing one revoke, zero
 * refresh successes after the revoke commits. Refresh and revoke serialise on the session
 * row, so every refresh that succeeds was ordered before the revoke, and nothing it minted
 * outlives it.
 */
describe('auth-service refresh racing "sign out everywhere"', () => {
  const PARALLEL = 50;
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
  });

  afterAll(async () => {
    await auth?.close();
  });

  it(`lets no refresh of ${PARALLEL} parallel ones succeed after the revoke commits`, async () => {
    const account = await auth.signUp();
    const callerDevice = deviceStub({ type: 'browser', name: 'Account page' });
    const caller = await auth.login(account, callerDevice);
    const devices: Record<string, string> = { [caller.sessionId]: callerDevice.id };
    const sessions: LoginReply[] = [];
    for (let i = 0; i < PARALLEL; i++) {
      const device = deviceStub({ name: `Device ${i}` });
      const login = await auth.login(account, device);
      devices[login.sessionId] = device.id;
      sessions.push(login);
    }
    const reauthToken = await auth.stepUp(account, caller.sessionId);

    // Replies arrive on one connection in the order the service sent them; count arrivals.
    let arrivals = 0;
    const refresh = (login: LoginReply): Promise<Outcome> =>
      auth.client.call(RpcSubject.refresh, { refreshToken: login.refreshToken }).then(
        (reply): Outcome => ({ ok: true, reply, arrival: arrivals++, sessionId: login.sessionId, presented: login.refreshToken }),
        (error: unknown): Outcome => {
          if (!(error instanceof SignoffError)) throw error;
          return { ok: false, error, arrival: arrivals++, sessionId: login.sessionId, presented: login.refreshToken };
        },
      );
    // Half the refreshes go out before the revoke, half after, all in the same tick.
    const before = sessions.slice(0, PARALLEL / 2).map(refresh);
    const revoke = auth.client
      .call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: caller.sessionId, reauthToken, includeCurrent: true })
      .then((reply) => ({ ...reply, arrival: arrivals++ }));
    const after = sessions.slice(PARALLEL / 2).map(refresh);
    const [revoked, outcomes] = await Promise.all([revoke, Promise.all([...before, ...after])]);

    const succeeded = outcomes.filter((o): o is Outcome & { ok: true; reply: RefreshReply } => o.ok);
    const failed = outcomes.filter((o): o is Outcome & { ok: false; error: SignoffError } => !o.ok);
    // Every refresh either won the race or met the revoked session; nothing else went wrong.
    for (const f of failed) {
      expect(f.error.code).toBe('SESSION_REVOKED');
      expect(f.error.details.logout?.revocationId).toBe(revoked.revocationId);
    }

    // No success was answered after the revoke was, and every success was minted under the old
    // epoch: it was serialised before the bump committed.
    expect(succeeded.filter((s) => s.arrival > revoked.arrival).map((s) => ({ sessionId: s.sessionId, arrival: s.arrival, revokeArrival: revoked.arrival }))).toEqual([]);
    for (const s of succeeded) expect(decodeJwt(s.reply.accessToken).epoch).toBe(1);

    // In the database: each successful rotation happened before its session was revoked.
    for (const s of succeeded) {
      const { rows } = await auth.sql.query<{ minted: Date; revoked: Date }>(
        `SELECT t.created_at AS minted, s.revoked_at AS revoked
           FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id
          WHERE t.session_id = $1 AND t.superseded_at IS NULL`,
        [s.sessionId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].minted.getTime()).toBeLessThanOrEqual(rows[0].revoked.getTime());
    }

    // The revocation covered every session, the 50 and the caller, paired with their devices.
    const event = (await auth.events.revocation(revoked.revocationId)).payload as AccountEpochBumpedV1;
    expect(event.epoch).toBe(2);
    expect([...event.sessionIds].sort()).toEqual([caller.sessionId, ...sessions.map((s) => s.sessionId)].sort());
    expect(event.deviceIds).toEqual(event.sessionIds.map((id) => devices[id]));
    expect(await auth.liveSessionIds(account.accountId)).toEqual([]);

    // Nothing minted in the race works afterwards, and neither does anything presented in it.
    const later = [...succeeded.map((s) => s.reply.refreshToken), ...failed.map((f) => f.presented)];
    expect(later).toHaveLength(PARALLEL);
    for (const refreshToken of later) {
      const refused = await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken }), 'SESSION_REVOKED');
      expect(refused.details.logout?.revocationId).toBe(revoked.revocationId);
    }
    process.stdout.write(`refresh race: ${succeeded.length} serialised before the revoke, ${failed.length} refused after it\n`);
  });
});
