import { AddressInfo } from 'node:net';
import { EventSubject, RpcSubject } from '@signoff/contracts';
import { expectEventually, freePort, SmtpSink } from '@signoff/testing';
import { register } from 'prom-client';
import { AuthHarness, expectCode } from '../testing/auth-test-harness';
import { expectIndistinguishable, formatTimings, interleavedTimings, withinBound } from '../testing/timing';

/** Sign-ins also mail an alert; these tests read the reset mail. */
const RESET_MAIL = /^Reset your Signoff password$/;

const NEW_PASSWORD = 'a brand new passphrase 42';

/** The reset token in a mail's link (`…/account/reset?token=pr_…`). */
function tokenIn(text: string): string {
  const match = /\/account\/reset\?token=(pr_[A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no reset link in:\n${text}`);
  return match[1];
}

/**
 * Password reset through a real SMTP server in this process: the mail leaves through the mail
 * outbox, the emailed token works once, and the reset signs every session out.
 */
describe('auth-service password reset', () => {
  let smtp: SmtpSink;
  let auth: AuthHarness;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    auth = await AuthHarness.start({ SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://signoff.example/', MAIL_POLL_MS: '50' });
  });

  afterAll(async () => {
    await auth?.close();
    await smtp?.close();
  });

  const request = (email: string) => auth.client.call(RpcSubject.requestPasswordReset, { email });
  const confirm = (token: string, newPassword = NEW_PASSWORD) => auth.client.call(RpcSubject.confirmPasswordReset, { token, newPassword });

  it('mails a single-use link for a known email; confirming it changes the password and signs every session out', async () => {
    const account = await auth.signUp();
    const tv = await auth.login(account);
    const phone = await auth.login(account);
    const epochBefore = await auth.epochOf(account.accountId);

    // Another spelling (case) reaches the same account; the reply is empty.
    await expect(request(account.email.toUpperCase())).resolves.toEqual({});
    const mail = await smtp.waitFor(account.email, { subject: RESET_MAIL });
    expect(mail.subject).toBe('Reset your Signoff password');
    expect(mail.text).toContain('https://signoff.example/account/reset?token=pr_');
    const token = tokenIn(mail.text);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    // Only the hash is stored.
    const stored = await auth.sql.query<{ token_hash: string }>('SELECT token_hash FROM auth.password_reset_tokens WHERE account_id = $1', [account.accountId]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].token_hash).not.toContain(token.slice(3));

    const { revocationId } = await confirm(token);
    expect(revocationId).toEqual(expect.any(String));
    expect(await auth.liveSessionIds(account.accountId)).toEqual([]);
    for (const session of [tv, phone]) {
      expect(await auth.sessionRow(session.sessionId)).toMatchObject({ revocation_id: revocationId, revoke_reason: 'password_reset' });
      await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: session.refreshToken }), 'SESSION_REVOKED');
    }
    expect(await auth.epochOf(account.accountId)).toBe(epochBefore + 1);

    await expectCode(auth.login(account), 'INVALID_CREDENTIALS');
    await expect(auth.login({ ...account, password: NEW_PASSWORD })).resolves.toMatchObject({ accessToken: expect.any(String) });

    const bumped = await auth.events.waitFor(EventSubject.accountEpochBumped, (e) => e.revocationId === revocationId);
    expect(bumped).toMatchObject({ accountId: account.accountId, reason: 'password_reset', sessionIds: expect.arrayContaining([tv.sessionId, phone.sessionId]) });
    expect(bumped.exceptSessionId).toBeUndefined();
    const changed = await auth.events.waitFor(EventSubject.passwordChanged, (e) => e.accountId === account.accountId);
    expect(changed).toMatchObject({ via: 'reset', signedOutOtherDevices: true });
    expect(changed.changedBySessionId).toBeUndefined();

    // Single use.
    await expectCode(confirm(token, 'yet another passphrase'), 'RESET_TOKEN_INVALID');
    expect(smtp.to(account.email, RESET_MAIL)).toHaveLength(1);
  });

  it('answers the same for an unknown email and sends nothing', async () => {
    const ghost = `ghost-${Date.now()}@example.test`;
    await expect(request(ghost)).resolves.toEqual({});
    // A known email's mail sent after it arrives, and nothing to the unknown one did.
    const account = await auth.signUp();
    await request(account.email);
    await smtp.waitFor(account.email, { subject: RESET_MAIL });
    expect(smtp.to(ghost)).toEqual([]);
    const { rows } = await auth.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM auth.mail_outbox WHERE "to" = $1 AND subject = 'Reset your Signoff password'`, [ghost]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses an expired token, a superseded token and garbage, changing nothing', async () => {
    const account = await auth.signUp();
    const session = await auth.login(account);
    await request(account.email);
    const first = tokenIn((await smtp.waitFor(account.email, { subject: RESET_MAIL })).text);
    await request(account.email);
    const second = await expectEventually(() => {
      const mails = smtp.to(account.email, RESET_MAIL);
      expect(mails).toHaveLength(2);
      return tokenIn(mails[1].text);
    });
    // A new request supersedes the earlier link.
    await expectCode(confirm(first), 'RESET_TOKEN_INVALID');
    await auth.sql.query(`UPDATE auth.password_reset_tokens SET expires_at = now() - interval '1 second' WHERE account_id = $1 AND used_at IS NULL`, [
      account.accountId,
    ]);
    await expectCode(confirm(second), 'RESET_TOKEN_INVALID');
    await expectCode(confirm('pr_not-a-token'), 'RESET_TOKEN_INVALID');
    await expectCode(confirm('rt_not-a-reset-token'), 'RESET_TOKEN_INVALID');
    await expectCode(confirm(second, 'short'), 'VALIDATION_FAILED');

    expect(await auth.liveSessionIds(account.accountId)).toEqual([session.sessionId]);
    await expect(auth.login(account)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('takes as long for an unknown email as for a known one, within a bound that a 3 ms gap breaks', async () => {
    // Stated bound (issue: a known email used to take about 3 ms, 30%, longer): medians and
    // interquartile means over 150 strictly interleaved requests each within 1.5 ms, in one of at
    // most three samples. The request is one INSERT whatever the email; the token and the mail
    // come after the reply.
    const bound = { ms: 1.5, fraction: 0 };
    const account = await auth.signUp();
    const timed = async (email: string, extraMs = 0): Promise<number> => {
      const started = performance.now();
      await request(email);
      if (extraMs > 0) await new Promise((resolve) => setTimeout(resolve, extraMs));
      return performance.now() - started;
    };
    for (let i = 0; i < 10; i++) await Promise.all([timed(account.email), timed(`warm-${i}@example.test`)]);
    let ghost = 0;
    await expectIndistinguishable(
      'reset request timing',
      150,
      () => timed(account.email),
      () => timed(`nobody-${ghost++}@example.test`),
      bound,
    );
    // The bound has teeth: the same requests with 3 ms more on one side are told apart.
    const gapped = await interleavedTimings(
      150,
      () => timed(account.email, 3),
      () => timed(`nobody-${ghost++}@example.test`),
    );
    process.stdout.write(`reset request timing with a 3 ms gap (ms): ${formatTimings(gapped)}\n`);
    expect(withinBound(gapped, bound)).toBe(false);
  }, 300_000);
});

/** A mail server that is down: rows are retried with backoff, then marked failed, visibly. */
describe('auth-service mail outbox with SMTP down', () => {
  let port: number;
  let auth: AuthHarness;
  let smtp: SmtpSink | undefined;

  beforeAll(async () => {
    port = await freePort();
    auth = await AuthHarness.start({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_MAX_ATTEMPTS: '3', MAIL_RETRY_BASE_MS: '20', MAIL_POLL_MS: '20' });
  });

  afterAll(async () => {
    await auth?.close();
    await smtp?.close();
  });

  it('retries, marks the mail failed after MAIL_MAX_ATTEMPTS, stays ready, sends new mail once SMTP is back, and keeps no body of either', async () => {
    const account = await auth.signUp();
    await auth.client.call(RpcSubject.requestPasswordReset, { email: account.email });
    const failed = await expectEventually(
      async () => {
        const { rows } = await auth.sql.query<{ attempts: number; failed_at: Date | null; sent_at: Date | null; last_error: string | null }>(
          `SELECT attempts, failed_at, sent_at, last_error FROM auth.mail_outbox WHERE "to" = $1 AND subject = 'Reset your Signoff password'`,
          [account.email],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0].failed_at).not.toBeNull();
        return rows[0];
      },
      { timeoutMs: 15_000 },
    );
    expect(failed).toMatchObject({ attempts: 3, sent_at: null, last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    await expectEventually(async () => {
      const gauge = await register.getSingleMetric('signoff_mail_outbox_failed')?.get();
      expect(gauge?.values[0]?.value).toBeGreaterThanOrEqual(1);
    });

    // A failed mail is the operator's to look at, not a reason to stop serving.
    const { port: httpPort } = auth.app.getHttpServer().address() as AddressInfo;
    expect((await fetch(`http://127.0.0.1:${httpPort}/health/ready`)).status).toBe(200);

    // The mail server comes back: new mail goes out; the failed row stays failed.
    smtp = await SmtpSink.start(port);
    await auth.client.call(RpcSubject.requestPasswordReset, { email: account.email });
    const mail = await smtp.waitFor(account.email, { subject: RESET_MAIL });
    expect(tokenIn(mail.text)).toMatch(/^pr_/);
    // The relay marks the row sent just after the server took the mail: wait for the mark.
    await expectEventually(async () => {
      const { rows } = await auth.sql.query<{ failed: number; sent: number }>(
        `SELECT count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed, count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent FROM auth.mail_outbox WHERE "to" = $1 AND subject = 'Reset your Signoff password'`,
        [account.email],
      );
      expect(rows[0]).toEqual({ failed: 1, sent: 1 });
    });
    expect(smtp.to(account.email, RESET_MAIL)).toHaveLength(1);
    // Neither the sent nor the failed row keeps its body: a copy of the table holds no live link.
    const { rows: kept } = await auth.sql.query<Record<string, unknown>>(`SELECT * FROM auth.mail_outbox WHERE "to" = $1`, [account.email]);
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.filter((row) => row.text !== '')).toEqual([]);
    expect(JSON.stringify(kept)).not.toContain(tokenIn(mail.text));
    expect(JSON.stringify(kept)).not.toContain('pr_');
  });
});
