import { LoginReply, RpcSubject, TOTP_POLICY } from '@signoff/contracts';
import { Secret, TOTP } from 'otpauth';
import { AuthHarness, deviceStub, expectCode, TestAccount } from '../testing/auth-test-harness';

/** What an authenticator app shows for `secret`, `steps` time steps from now. */
function codeFor(secret: string, steps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * TOTP_POLICY.periodSeconds * 1000 });
}

/** A different, valid-looking code. */
function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('auth-service two-factor sign-in (TOTP)', () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    auth = await AuthHarness.start();
  });

  afterAll(async () => {
    await auth?.close();
  });

  async function stepUp(account: TestAccount, session: LoginReply): Promise<string> {
    return auth.stepUp(account, session.sessionId);
  }

  /** An enrolled account steps up with its second factor (here one of its recovery codes), never the password alone. */
  async function stepUpWithCode(account: TestAccount, session: LoginReply, code: string): Promise<string> {
    const { reauthToken } = await auth.client.call(RpcSubject.stepUpWithOtp, { ...ref(account, session), otpCode: code });
    return reauthToken;
  }

  /** An account with two-factor on: confirmed with the code of the previous step, so now and the next step are still free. */
  async function enrolledStub(): Promise<{ account: TestAccount; session: LoginReply; secret: string; recoveryCodes: string[] }> {
    const account = await auth.signUp();
    const session = await auth.login(account);
    const { secret } = await auth.client.call(RpcSubject.beginTwoFactorEnrolment, { ...ref(account, session), reauthToken: await stepUp(account, session) });
    const { recoveryCodes } = await auth.client.call(RpcSubject.confirmTwoFactor, { ...ref(account, session), code: codeFor(secret, -1) });
    return { account, session, secret, recoveryCodes };
  }

  function ref(account: TestAccount, session: LoginReply): { accountId: string; sessionId: string } {
    return { accountId: account.accountId, sessionId: session.sessionId };
  }

  function loginWith(account: TestAccount, otpCode?: string, password = account.password): Promise<LoginReply> {
    return auth.client.call(RpcSubject.login, { email: account.email, password, device: deviceStub(), ...(otpCode === undefined ? {} : { otpCode }) });
  }

  it('enrols (pending, not yet required), confirms with a code from the secret, and from then on sign-in asks for a code', async () => {
    const account = await auth.signUp();
    const session = await auth.login(account);
    const enrolment = await auth.client.call(RpcSubject.beginTwoFactorEnrolment, { ...ref(account, session), reauthToken: await stepUp(account, session) });

    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(enrolment.otpauthUri).toContain(`otpauth://totp/Signoff:${encodeURIComponent(account.email)}?`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({ issuer: 'Signoff', secret: enrolment.secret, algorithm: 'SHA1', digits: '6', period: '30' });

    // Stored sealed, never as the secret itself.
    const { rows } = await auth.sql.query<{ secret_ciphertext: string; confirmed_at: Date | null }>(
      'SELECT secret_ciphertext, confirmed_at FROM auth.two_factor WHERE account_id = $1',
      [account.accountId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_ciphertext).toMatch(/^v1\./);
    expect(rows[0].secret_ciphertext).not.toContain(enrolment.secret);
    expect(rows[0].confirmed_at).toBeNull();

    // Pending: sign-in does not ask yet.
    await expect(loginWith(account)).resolves.toMatchObject({ accountId: account.accountId });
    await expect(auth.client.call(RpcSubject.getTwoFactorStatus, ref(account, session))).resolves.toEqual({ enabled: false, pending: true, recoveryCodesLeft: 0 });

    await expectCode(auth.client.call(RpcSubject.confirmTwoFactor, { ...ref(account, session), code: wrongCode(codeFor(enrolment.secret)) }), 'INVALID_OTP');
    const { recoveryCodes } = await auth.client.call(RpcSubject.confirmTwoFactor, { ...ref(account, session), code: codeFor(enrolment.secret, -1) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    const hashes = await auth.sql.query<{ code_hash: string }>('SELECT code_hash FROM auth.two_factor_recovery_codes WHERE account_id = $1', [account.accountId]);
    expect(hashes.rows).toHaveLength(10);
    for (const { code_hash } of hashes.rows) expect(recoveryCodes.some((c) => code_hash.includes(c) || code_hash.includes(c.replace('-', '')))).toBe(false);
    await expect(auth.client.call(RpcSubject.getTwoFactorStatus, ref(account, session))).resolves.toEqual({ enabled: true, pending: false, recoveryCodesLeft: 10 });

    // Required now; a wrong password still answers exactly as before, with or without a code.
    const required = await expectCode(loginWith(account), 'OTP_REQUIRED');
    expect(required.status).toBe(401);
    const wrongPassword = await expectCode(loginWith(account, undefined, 'not the password'), 'INVALID_CREDENTIALS');
    const unknownEmail = await expectCode(
      auth.client.call(RpcSubject.login, { email: `nobody-${Date.now()}@example.test`, password: 'not the password', device: deviceStub() }),
      'INVALID_CREDENTIALS',
    );
    expect({ message: wrongPassword.message, details: wrongPassword.details }).toEqual({ message: unknownEmail.message, details: unknownEmail.details });
    await expectCode(loginWith(account, codeFor(enrolment.secret), 'not the password'), 'INVALID_CREDENTIALS');

    await expectCode(loginWith(account, wrongCode(codeFor(enrolment.secret))), 'INVALID_OTP');
    const code = codeFor(enrolment.secret);
    await expect(loginWith(account, code)).resolves.toMatchObject({ accountId: account.accountId });
    // The same code again within its step: a replay.
    await expectCode(loginWith(account, code), 'INVALID_OTP');
  });

  it('refuses a code already used, even when two sign-ins race with it', async () => {
    const { account, secret } = await enrolledStub();
    const code = codeFor(secret);
    const outcomes = await Promise.allSettled([loginWith(account, code), loginWith(account, code), loginWith(account, code)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'INVALID_OTP' });
  });

  it('accepts each recovery code once (as typed: any case, with or without the dash), and new codes replace the old ones', async () => {
    const { account, session, recoveryCodes } = await enrolledStub();
    await expect(loginWith(account, recoveryCodes[0].toLowerCase().replace('-', ' '))).resolves.toMatchObject({ accountId: account.accountId });
    await expectCode(loginWith(account, recoveryCodes[0]), 'INVALID_OTP');
    await expect(loginWith(account, recoveryCodes[1])).resolves.toMatchObject({ accountId: account.accountId });
    await expect(auth.client.call(RpcSubject.getTwoFactorStatus, ref(account, session))).resolves.toMatchObject({ recoveryCodesLeft: 8 });

    await expectCode(auth.client.call(RpcSubject.regenerateRecoveryCodes, { ...ref(account, session), reauthToken: 'ra_not-a-token' }), 'REAUTH_REQUIRED');
    const fresh = await auth.client.call(RpcSubject.regenerateRecoveryCodes, { ...ref(account, session), reauthToken: await stepUpWithCode(account, session, recoveryCodes[5]) });
    expect(fresh.recoveryCodes).toHaveLength(10);
    await expectCode(loginWith(account, recoveryCodes[2]), 'INVALID_OTP');
    await expect(loginWith(account, fresh.recoveryCodes[0])).resolves.toMatchObject({ accountId: account.accountId });
  });

  it('steps up by a code for an enrolled account, and the reauth token works like a password step-up', async () => {
    const { account, session, secret } = await enrolledStub();
    await expectCode(auth.client.call(RpcSubject.stepUpWithOtp, { ...ref(account, session), otpCode: wrongCode(codeFor(secret)) }), 'STEP_UP_FAILED');
    const { reauthToken, expiresIn } = await auth.client.call(RpcSubject.stepUpWithOtp, { ...ref(account, session), otpCode: codeFor(secret) });
    expect(reauthToken).toMatch(/^ra_/);
    expect(expiresIn).toBe(300);
    // Consumed by an account-wide action bound to this session.
    await expect(auth.client.call(RpcSubject.regenerateRecoveryCodes, { ...ref(account, session), reauthToken })).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    await expectCode(auth.client.call(RpcSubject.regenerateRecoveryCodes, { ...ref(account, session), reauthToken }), 'REAUTH_REQUIRED');

    // The password alone is no proof on an enrolled account, right or wrong (the answer does not say which).
    await expectCode(auth.client.call(RpcSubject.stepUp, { ...ref(account, session), password: account.password }), 'SECOND_FACTOR_REQUIRED');
    await expectCode(auth.client.call(RpcSubject.stepUp, { ...ref(account, session), password: 'not the password' }), 'SECOND_FACTOR_REQUIRED');

    // Not enrolled: there is no code to step up with.
    const plain = await auth.signUp();
    const plainSession = await auth.login(plain);
    await expectCode(auth.client.call(RpcSubject.stepUpWithOtp, { ...ref(plain, plainSession), otpCode: '123456' }), 'STEP_UP_FAILED');
  });

  it('turns off only with a fresh step-up of this session and a valid code or recovery code', async () => {
    const { account, session, secret, recoveryCodes } = await enrolledStub();
    await expectCode(auth.client.call(RpcSubject.disableTwoFactor, { ...ref(account, session), reauthToken: 'ra_not-a-token', code: codeFor(secret) }), 'REAUTH_REQUIRED');

    // A reauth token of another session of the same account does not do.
    await expectCode(auth.login(account, deviceStub()), 'OTP_REQUIRED');
    const phone = await loginWith(account, recoveryCodes[9]);
    const phoneReauth = await stepUpWithCode(account, phone, recoveryCodes[8]);
    await expectCode(auth.client.call(RpcSubject.disableTwoFactor, { ...ref(account, session), reauthToken: phoneReauth, code: recoveryCodes[0] }), 'REAUTH_REQUIRED');

    const reauthToken = await stepUpWithCode(account, session, recoveryCodes[7]);
    await expectCode(auth.client.call(RpcSubject.disableTwoFactor, { ...ref(account, session), reauthToken, code: wrongCode(codeFor(secret)) }), 'INVALID_OTP');
    await expectCode(auth.client.call(RpcSubject.disableTwoFactor, { ...ref(account, session), reauthToken, code: 'ZZZZZ-ZZZZZ' }), 'INVALID_OTP');
    // The refused attempts rolled back: the same reauth token still works with a right code.
    await expect(auth.client.call(RpcSubject.disableTwoFactor, { ...ref(account, session), reauthToken, code: recoveryCodes[0] })).resolves.toEqual({ disabled: true });

    const left = await auth.sql.query('SELECT 1 FROM auth.two_factor_recovery_codes WHERE account_id = $1 UNION ALL SELECT 1 FROM auth.two_factor WHERE account_id = $1', [account.accountId]);
    expect(left.rows).toHaveLength(0);
    await expect(loginWith(account)).resolves.toMatchObject({ accountId: account.accountId });
    await expectCode(auth.client.call(RpcSubject.disableTwoFactor, { ...ref(account, session), reauthToken: await stepUp(account, session), code: codeFor(secret) }), 'TWO_FACTOR_NOT_ENABLED');
  });

  it('refuses to enrol again while on, to confirm without an enrolment, and to enrol without a step-up', async () => {
    const { account, session, recoveryCodes } = await enrolledStub();
    await expectCode(
      auth.client.call(RpcSubject.beginTwoFactorEnrolment, { ...ref(account, session), reauthToken: await stepUpWithCode(account, session, recoveryCodes[5]) }),
      'TWO_FACTOR_ALREADY_ENABLED',
    );
    await expectCode(auth.client.call(RpcSubject.confirmTwoFactor, { ...ref(account, session), code: '123456' }), 'TWO_FACTOR_NOT_PENDING');

    const plain = await auth.signUp();
    const plainSession = await auth.login(plain);
    await expectCode(auth.client.call(RpcSubject.beginTwoFactorEnrolment, { ...ref(plain, plainSession), reauthToken: 'ra_not-a-token' }), 'REAUTH_REQUIRED');
    await expectCode(auth.client.call(RpcSubject.confirmTwoFactor, { ...ref(plain, plainSession), code: '123456' }), 'TWO_FACTOR_NOT_PENDING');
  });
});
