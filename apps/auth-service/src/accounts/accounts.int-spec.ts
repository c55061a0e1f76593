import { RpcSubject } from '@signoff/contracts';
import { listeningPort } from '@signoff/service-kit';
import { AuthHarness, expectCode } from '../testing/auth-test-harness';

describe('auth-service accounts (createAccount, getMe)', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
  });

  afterAll(async () => {
    await auth?.close();
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

  it('refuses a second account for the same address, whatever its case, with ACCOUNT_EXISTS', async () => {
    const account = await auth.signUp();
    await expectCode(auth.signUp({ email: account.email.toUpperCase() }), 'ACCOUNT_EXISTS');
    const { rows } = await auth.sql.query('SELECT 1 FROM auth.accounts WHERE email = $1', [account.email]);
    expect(rows).toHaveLength(1);
  });

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
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: true, nats: true } });
  });
});
