import { randomUUID } from 'node:crypto';
import { RpcSubject } from '@signoff/contracts';
import { listeningPort } from '@signoff/service-kit';
import { expectEventually, SmtpSink } from '@signoff/testing';
import { AuthHarness, expectCode } from '../testing/auth-test-harness';
import { expectIndistinguishable } from '../testing/timing';

const WELCOME = /^Welcome to Signoff$/;
const ALREADY = /^You already have a Signoff account$/;

describe('auth-service accounts (createAccount, getMe)', () => {
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

  it('creates an account with a normalised email, the basic plan and one "Main" profile', async () => {
    const account = await auth.signUp({ email: `Mixed.Case-${Date.now()}@Example.TEST` });
    const { rows } = await auth.sql.query<{ email: string; plan: string; epoch: number; password_hash: string }>(
      'SELECT email, plan, epoch, password_hash FROM auth.accounts WHERE id = $1',
      [account.accountId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].email).toBe(account.email.toLowerCase());
    expect(rows[0].plan).toBe('basic');
    expect(rows[0].epoch).toBe(1);
    // argon2id with the configured cost, never the password itself.
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(rows[0].password_hash).not.toContain(account.password);

    const profiles = await auth.sql.query<{ name: string; kids: boolean }>('SELECT name, kids FROM auth.profiles WHERE account_id = $1', [account.accountId]);
    expect(profiles.rows).toEqual([{ name: 'Main', kids: false }]);
  });

  it('keeps the plan asked for', async () => {
    const account = await auth.signUp({ plan: 'premium' });
    const { rows } = await auth.sql.query<{ plan: string }>('SELECT plan FROM auth.accounts WHERE id = $1', [account.accountId]);
    expect(rows[0].plan).toBe('premium');
  });

  it('answers a sign-up for a taken address like any other, creates nothing, and mails the owner instead', async () => {
    const account = await auth.signUp();
    await smtp.waitFor(account.email, { subject: WELCOME });
    const again = await auth.signUp({ email: account.email.toUpperCase(), password: 'another long password' });
    // The same shape as a new account's reply: an id, which no account has.
    expect(again.accountId).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.accountId).not.toBe(account.accountId);
    const { rows } = await auth.sql.query<{ id: string }>('SELECT id FROM auth.accounts WHERE email = $1 OR id = $2', [account.email, again.accountId]);
    expect(rows).toEqual([{ id: account.accountId }]);
    // Only the owner's password opens the account.
    await expectCode(auth.login({ ...account, password: 'another long password' }), 'INVALID_CREDENTIALS');
    await expect(auth.login(account)).resolves.toMatchObject({ accessToken: expect.any(String) });
    // Only the mailbox learns: the owner is told someone tried, and how to get back in.
    const mail = await smtp.waitFor(account.email, { subject: ALREADY });
    expect(mail.text).toContain('Nothing was changed');
    expect(smtp.to(account.email, WELCOME)).toHaveLength(1);
  });

  it('lets exactly one of several sign-ups racing for one free address create the account', async () => {
    const email = `race-${randomUUID()}@example.test`;
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => auth.client.call(RpcSubject.createAccount, { email, password: `racing password ${i}` })));
    expect(new Set(replies.map((r) => r.accountId)).size).toBe(5);
    const { rows } = await auth.sql.query<{ id: string }>('SELECT id FROM auth.accounts WHERE email = $1', [email]);
    expect(rows).toHaveLength(1);
    expect(replies.map((r) => r.accountId)).toContain(rows[0].id);
    await expectEventually(() => {
      expect(smtp.to(email, WELCOME)).toHaveLength(1);
      // The four that lost are one notice, not four.
      expect(smtp.to(email, ALREADY)).toHaveLength(1);
    });
  });

  it('mails the owner of a taken address at most once an interval, however often someone signs up with it', async () => {
    const account = await auth.signUp();
    for (let i = 0; i < 6; i++) await auth.signUp({ email: account.email, password: `someone else's password ${i}` });
    await smtp.waitFor(account.email, { subject: ALREADY });
    const { rows } = await auth.sql.query<{ sent: number; held: number }>(
      `SELECT count(*) FILTER (WHERE NOT suppressed)::int AS sent, count(*) FILTER (WHERE suppressed AND text = '')::int AS held
         FROM auth.mail_outbox WHERE "to" = $1 AND subject = 'You already have a Signoff account'`,
      [account.email],
    );
    // One to send; the other five written (each sign-up writes alike) but held back, without a body.
    expect(rows[0]).toEqual({ sent: 1, held: 5 });
    expect(smtp.to(account.email, ALREADY)).toHaveLength(1);
  });

  it('takes the same time for a taken address as for a free one (100 interleaved sign-ups each)', async () => {
    const taken = await auth.signUp();
    const signUp = async (email: string): Promise<number> => {
      const started = performance.now();
      await auth.client.call(RpcSubject.createAccount, { email, password: 'a long enough password' });
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) await Promise.all([signUp(taken.email), signUp(`warm-${randomUUID()}@example.test`)]);
    await expectIndistinguishable(
      'sign-up timing (known = taken address)',
      100,
      () => signUp(taken.email),
      () => signUp(`fresh-${randomUUID()}@example.test`),
    );
  }, 300_000);

  it.each([
    ['an invalid email', { email: 'not-an-email', password: 'long enough password' }, 'email'],
    ['a short password', { email: 'short@example.test', password: 'short' }, 'password'],
    ['an unknown plan', { email: 'plan@example.test', password: 'long enough password', plan: 'gold' }, 'plan'],
    ['an unknown field', { email: 'extra@example.test', password: 'long enough password', admin: true }, 'admin'],
  ])('rejects %s with VALIDATION_FAILED', async (_name, payload, field) => {
    const error = await expectCode(auth.client.call(RpcSubject.createAccount, payload as never), 'VALIDATION_FAILED');
    expect(error.details.fields).toContain(field);
  });

  it('answers getMe with the account, its profiles and the current session', async () => {
    const account = await auth.signUp({ plan: 'standard' });
    const login = await auth.login(account);
    const me = await auth.client.call(RpcSubject.getMe, { accountId: account.accountId, sessionId: login.sessionId });
    expect(me.account).toEqual({ accountId: account.accountId, email: account.email, plan: 'standard', createdAt: expect.any(String) });
    expect(new Date(me.account.createdAt).toISOString()).toBe(me.account.createdAt);
    expect(me.profiles).toEqual([{ profileId: expect.any(String), name: 'Main', kids: false }]);
    expect(me.session).toEqual({ sessionId: login.sessionId, deviceId: expect.any(String), createdAt: expect.any(String) });
  });

  it('refuses getMe for a session of another account', async () => {
    const owner = await auth.signUp();
    const other = await auth.signUp();
    const login = await auth.login(owner);
    await expectCode(auth.client.call(RpcSubject.getMe, { accountId: other.accountId, sessionId: login.sessionId }), 'TOKEN_INVALID');
  });

  it('reports ready on /health/ready once Postgres and NATS answer', async () => {
    const response = await fetch(`http://127.0.0.1:${listeningPort(auth.app)}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: true, nats: true, requests: true } });
  });
});

describe('auth-service sign-up in a real deployment (SIGNOFF_ENV=production)', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start({
      SIGNOFF_ENV: 'production',
      TOTP_SECRET_KEY: 'a'.repeat(64),
      SIGNING_KEY_ENCRYPTION_KEY: 'b'.repeat(64),
      SMTP_URL: 'smtp://127.0.0.1:9',
      PUBLIC_BASE_URL: 'https://signoff.example',
    });
  });

  afterAll(async () => {
    await auth?.close();
  });

  it('does not let the client choose the plan: asking for one is refused, and every account starts on basic', async () => {
    const email = `plan-${randomUUID()}@example.test`;
    const refused = await expectCode(auth.client.call(RpcSubject.createAccount, { email, password: 'a long enough password', plan: 'premium' }), 'VALIDATION_FAILED');
    expect(refused.details.fields).toEqual(['plan']);
    const { rows: none } = await auth.sql.query('SELECT 1 FROM auth.accounts WHERE email = $1', [email]);
    expect(none).toHaveLength(0);
    const { accountId } = await auth.client.call(RpcSubject.createAccount, { email, password: 'a long enough password' });
    const { rows } = await auth.sql.query<{ plan: string }>('SELECT plan FROM auth.accounts WHERE id = $1', [accountId]);
    expect(rows).toEqual([{ plan: 'basic' }]);
  });
});
