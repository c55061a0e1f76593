import { EMAIL_CODE_POLICY, LoginReply, RpcSubject, TOKEN_POLICY } from '@signoff/contracts';
import { expectEventually, SmtpSink } from '@signoff/testing';
import { AuthHarness, expectCode, TestAccount } from '../testing/auth-test-harness';

const CODE_MAIL = /^Your Signoff verification code$/;

/**
 * Step-up by an emailed code through a real SMTP server in this process: the code arrives by
 * mail, buys a reauth token bound to the asking session, works once, five tries at most, ten
 * minutes at most, and a newer code replaces an older one.
 */
describe('auth-service step-up by emailed code', () => {
  let smtp: SmtpSink;
  let auth: AuthHarness;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    auth = await AuthHarness.start({ SMTP_URL: smtp.url, MAIL_POLL_MS: '50' });
  });

  afterAll(async () => {
    await auth?.close();
    await smtp?.close();
  });

  const send = (account: TestAccount, session: LoginReply) =>
    auth.client.call(RpcSubject.sendStepUpEmailCode, { accountId: account.accountId, sessionId: session.sessionId });
  const stepUp = (account: TestAccount, session: LoginReply, emailCode: string) =>
    auth.client.call(RpcSubject.stepUpWithEmailCode, { accountId: account.accountId, sessionId: session.sessionId, emailCode });

  /** The code of the `nth` (1-based) code mail to the account. */
  async function mailedCode(account: TestAccount, nth = 1): Promise<string> {
    const mail = await expectEventually(() => {
      const mails = smtp.to(account.email, CODE_MAIL);
      if (mails.length < nth) throw new Error(`${mails.length} code mails so far`);
      return mails[nth - 1];
    });
    const match = /^\s+(\d{6})$/m.exec(mail.text);
    if (!match) throw new Error(`no code in:\n${mail.text}`);
    return match[1];
  }

  const wrong = (code: string) => ((Number(code) + 1) % 10 ** EMAIL_CODE_POLICY.digits).toString().padStart(EMAIL_CODE_POLICY.digits, '0');

  async function signedIn(): Promise<{ account: TestAccount; tv: LoginReply; phone: LoginReply }> {
    const account = await auth.signUp();
    return { account, tv: await auth.login(account), phone: await auth.login(account) };
  }

  it('mails a 6-digit code that buys a reauth token for this session, once; only a hash is stored', async () => {
    const { account, tv } = await signedIn();
    const sent = await send(account, tv);
    expect(sent).toEqual({ sentTo: `${account.email[0]}•••@example.test`, expiresIn: EMAIL_CODE_POLICY.ttlSeconds });
    const code = await mailedCode(account);
    const stored = await auth.sql.query<{ code_hash: string; ttl: number }>(
      `SELECT code_hash, extract(epoch FROM expires_at - created_at)::int AS ttl FROM auth.step_up_email_codes WHERE session_id = $1`,
      [tv.sessionId],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].code_hash).not.toContain(code);
    expect(stored.rows[0].ttl).toBe(EMAIL_CODE_POLICY.ttlSeconds);

    // Pasted with a space in the middle: still the code.
    const reply = await stepUp(account, tv, `${code.slice(0, 3)} ${code.slice(3)}`);
    expect(reply).toEqual({ reauthToken: expect.stringMatching(/^ra_/), expiresIn: TOKEN_POLICY.reauthTtlSeconds });
    // The token is a real reauth token of this session: sign out everywhere takes it.
    await expect(
      auth.client.call(RpcSubject.revokeAllSessions, { accountId: account.accountId, sessionId: tv.sessionId, reauthToken: reply.reauthToken, includeCurrent: false }),
    ).resolves.toMatchObject({ revocationId: expect.any(String) });

    // Single use.
    await expectCode(stepUp(account, tv, code), 'STEP_UP_FAILED');
  });

  it('is bound to the session that asked: another session of the account or another account gets nothing', async () => {
    const { account, tv, phone } = await signedIn();
    await send(account, tv);
    const code = await mailedCode(account);
    await expectCode(stepUp(account, phone, code), 'STEP_UP_FAILED');
    const stranger = await auth.signUp();
    await expectCode(stepUp(stranger, await auth.login(stranger), code), 'STEP_UP_FAILED');
    // Naming the asking session under another account: no such session there.
    await expectCode(stepUp(stranger, tv, code), 'TOKEN_INVALID');
    // Neither attempt touched the code: the asking session still can use it.
    await expect(stepUp(account, tv, code)).resolves.toMatchObject({ reauthToken: expect.any(String) });
  });

  it('allows five tries, telling how many are left; the fifth wrong one uses the code up', async () => {
    const { account, tv } = await signedIn();
    await send(account, tv);
    const code = await mailedCode(account);
    for (let left = EMAIL_CODE_POLICY.maxAttempts - 1; left >= 0; left--) {
      const refused = await expectCode(stepUp(account, tv, wrong(code)), 'STEP_UP_FAILED');
      expect(refused.details).toEqual({ attemptsLeft: left });
    }
    await expectCode(stepUp(account, tv, code), 'STEP_UP_FAILED');
  });

  it('counts parallel guesses one by one: twenty at once spend five tries and no more', async () => {
    const { account, tv } = await signedIn();
    await send(account, tv);
    const code = await mailedCode(account);
    const guesses = Array.from({ length: 20 }, (_, i) => ((Number(code) + 1 + i) % 10 ** 6).toString().padStart(6, '0'));
    const outcomes = await Promise.allSettled(guesses.map((guess) => stepUp(account, tv, guess)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    const row = await auth.sql.query<{ attempts: number; used: boolean }>(`SELECT attempts, used_at IS NOT NULL AS used FROM auth.step_up_email_codes WHERE session_id = $1`, [
      tv.sessionId,
    ]);
    expect(row.rows).toEqual([{ attempts: EMAIL_CODE_POLICY.maxAttempts, used: true }]);
    await expectCode(stepUp(account, tv, code), 'STEP_UP_FAILED');
  });

  it('refuses an expired code, and a code replaced by a newer one', async () => {
    const { account, tv } = await signedIn();
    await send(account, tv);
    const first = await mailedCode(account, 1);
    await send(account, tv);
    const second = await mailedCode(account, 2);
    if (first !== second) await expectCode(stepUp(account, tv, first), 'STEP_UP_FAILED');

    await auth.sql.query(`UPDATE auth.step_up_email_codes SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [tv.sessionId]);
    await expectCode(stepUp(account, tv, second), 'STEP_UP_FAILED');
  });

  it('sends nothing for a session that has been signed out', async () => {
    const { account, tv, phone } = await signedIn();
    await auth.client.call(RpcSubject.signOutDevice, { accountId: account.accountId, sessionId: tv.sessionId, deviceId: (await auth.sessionRow(phone.sessionId)).device_id });
    await expectCode(send(account, phone), 'SESSION_REVOKED');
    // The code of a session signed out after it was sent is no use either.
    await send(account, tv);
    const code = await mailedCode(account);
    await auth.client.call(RpcSubject.logout, { accountId: account.accountId, sessionId: tv.sessionId });
    await expectCode(stepUp(account, tv, code), 'SESSION_REVOKED');
  });
});
