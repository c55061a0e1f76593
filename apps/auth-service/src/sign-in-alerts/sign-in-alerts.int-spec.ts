import { EventSubject, RpcSubject } from '@signoff/contracts';
import { expectEventually, ReceivedMail, SmtpSink } from '@signoff/testing';
import { AuthHarness, deviceStub, expectCode } from '../testing/auth-test-harness';

const ALERT_SUBJECT = /^New sign-in to Signoff: /;

/** The token in an alert mail's "this wasn't me" link (`…/account/not-me?token=nm_…`). */
function notMeTokenIn(text: string): string {
  const match = /\/account\/not-me\?token=(nm_[A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no not-me link in:\n${text}`);
  return match[1];
}

function resetTokenIn(text: string): string {
  const match = /\/account\/reset\?token=(pr_[A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no reset link in:\n${text}`);
  return match[1];
}

/**
 * Sign-in alerts through a real SMTP server in this process: every sign-in mails the account
 * (device, time, place, a "this wasn't me" link); the link signs that session out and mails a
 * password reset, once.
 */
describe('auth-service sign-in alerts', () => {
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

  const notMe = (token: string) => auth.client.call(RpcSubject.notMe, { token });
  const mailsTo = (email: string, subject: RegExp): ReceivedMail[] => smtp.to(email).filter((m) => subject.test(m.subject));
  const waitForMail = (email: string, subject: RegExp, count = 1): Promise<ReceivedMail[]> =>
    expectEventually(() => {
      const found = mailsTo(email, subject);
      expect(found).toHaveLength(count);
      return found;
    });

  it('mails one alert per sign-in naming the device, the time and the place, with a not-me link; the token is stored hashed', async () => {
    const account = await auth.signUp();
    const before = new Date();
    const session = await auth.client.call(RpcSubject.login, {
      email: account.email,
      password: account.password,
      device: deviceStub({ name: 'Living room TV', type: 'tv', os: 'webOS 23' }),
      ip: '8.8.8.8',
    });
    const [mail] = await waitForMail(account.email, ALERT_SUBJECT);
    expect(mail.subject).toBe('New sign-in to Signoff: Living room TV');
    expect(mail.text).toContain('Device: Living room TV (tv, webOS 23)');
    // Placed by the packaged DB-IP data (what it says for 8.8.8.8 today; see docs/devices.md).
    expect(mail.text).toContain('Where: near Mountain View, California, US (approximate, address 8.8.8.8)');
    const iso = /When: .+ UTC \((\d{4}-\d{2}-\d{2}T[\d:.]+Z)\)/.exec(mail.text);
    expect(iso).not.toBeNull();
    const at = new Date((iso as RegExpExecArray)[1]);
    expect(at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(mail.text).toContain('https://signoff.example/account/not-me?token=nm_');
    const token = notMeTokenIn(mail.text);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);

    const stored = await auth.sql.query<{ token_hash: string; session_id: string; account_id: string; expires_at: Date }>(
      'SELECT token_hash, session_id, account_id, expires_at FROM auth.not_me_tokens WHERE account_id = $1',
      [account.accountId],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toMatchObject({ session_id: session.sessionId, account_id: account.accountId });
    expect(stored.rows[0].token_hash).not.toContain(token.slice(3));
    const ttlDays = (stored.rows[0].expires_at.getTime() - at.getTime()) / 86_400_000;
    expect(Math.round(ttlDays)).toBe(7);

    // Without an address: "unknown location". A wrong password mails nothing.
    await auth.login(account, deviceStub({ name: 'Phone' }));
    const mails = await waitForMail(account.email, ALERT_SUBJECT, 2);
    expect(mails[1].text).toContain('Where: unknown location');
    await expectCode(auth.client.call(RpcSubject.login, { email: account.email, password: 'wrong password', device: deviceStub() }), 'INVALID_CREDENTIALS');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(account.email, ALERT_SUBJECT)).toHaveLength(2);
  });

  it('"this wasn\'t me" signs that session out (refresh refused), leaves the others, mails a reset, and works once', async () => {
    const account = await auth.signUp();
    const intruder = await auth.login(account, deviceStub({ name: 'Unknown laptop', type: 'computer' }));
    const [alert] = await waitForMail(account.email, ALERT_SUBJECT);
    const mine = await auth.login(account, deviceStub({ name: 'My phone', type: 'phone' }));
    await waitForMail(account.email, ALERT_SUBJECT, 2);
    const token = notMeTokenIn(alert.text);

    const { revocationId } = await notMe(token);
    expect(revocationId).toEqual(expect.any(String));
    expect(await auth.sessionRow(intruder.sessionId)).toMatchObject({ revocation_id: revocationId, revoke_reason: 'sign_out_device' });
    await expectCode(auth.client.call(RpcSubject.refresh, { refreshToken: intruder.refreshToken }), 'SESSION_REVOKED');
    expect(await auth.liveSessionIds(account.accountId)).toEqual([mine.sessionId]);
    const revoked = await auth.events.waitFor(EventSubject.sessionRevoked, (e) => e.revocationId === revocationId);
    expect(revoked).toMatchObject({ accountId: account.accountId, sessionIds: [intruder.sessionId], reason: 'sign_out_device' });

    // The reset mail a "forgot password" would send, whose link works.
    const [reset] = await waitForMail(account.email, /^Reset your Signoff password$/);
    const resetToken = resetTokenIn(reset.text);
    await expect(auth.client.call(RpcSubject.confirmPasswordReset, { token: resetToken, newPassword: 'a brand new passphrase 42' })).resolves.toMatchObject({
      revocationId: expect.any(String),
    });

    // Single use: the second click changes nothing and mails nothing.
    await expectCode(notMe(token), 'NOT_ME_TOKEN_INVALID');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(account.email, /^Reset your Signoff password$/)).toHaveLength(1);
  });

  it('"this wasn\'t me" answers what the alert said: the device, when and where it signed in, and where the reset went', async () => {
    const account = await auth.signUp();
    const intruder = await auth.client.call(RpcSubject.login, {
      email: account.email,
      password: account.password,
      device: deviceStub({ name: 'Unknown laptop', type: 'computer', os: 'Windows 11' }),
      ip: '8.8.8.8',
    });
    const [alert] = await waitForMail(account.email, ALERT_SUBJECT);
    const at = /When: .+ UTC \((\S+)\)/.exec(alert.text)?.[1];

    const reply = await notMe(notMeTokenIn(alert.text));
    expect(reply).toEqual({
      revocationId: expect.any(String),
      signIn: {
        at,
        device: { type: 'computer', name: 'Unknown laptop', os: 'Windows 11' },
        location: { city: 'Mountain View', region: 'California', country: 'US' },
        ip: '8.8.8.8',
      },
      resetMailedTo: 'v•••@example.test',
    });
    expect(await auth.sessionRow(intruder.sessionId)).toMatchObject({ revocation_id: reply.revocationId });
  });

  it('refuses garbage, another kind of token and an expired token, changing nothing', async () => {
    const account = await auth.signUp();
    const session = await auth.login(account);
    const [alert] = await waitForMail(account.email, ALERT_SUBJECT);
    const token = notMeTokenIn(alert.text);
    await expectCode(notMe('nm_not-a-token'), 'NOT_ME_TOKEN_INVALID');
    await expectCode(notMe(session.refreshToken), 'NOT_ME_TOKEN_INVALID');
    await expectCode(notMe(''), 'VALIDATION_FAILED');
    await auth.sql.query(`UPDATE auth.not_me_tokens SET expires_at = now() - interval '1 second' WHERE account_id = $1`, [account.accountId]);
    await expectCode(notMe(token), 'NOT_ME_TOKEN_INVALID');
    expect(await auth.liveSessionIds(account.accountId)).toEqual([session.sessionId]);
    const { rows } = await auth.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM auth.password_reset_tokens WHERE account_id = $1`, [account.accountId]);
    expect(rows[0].n).toBe(0);
  });
});
