import { SmtpSink } from '@signoff/testing';
import { Secret, TOTP } from 'otpauth';
import { http, TestStack } from './support/test-stack';

/** What an authenticator app shows for `secret`, `steps` 30-second steps from now. */
function codeFor(secret: string, steps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
}

/**
 * Two-factor sign-in through a gateway, as a browser would drive it: enrol (URI and QR code),
 * confirm, sign in with a code, step up by a code, turn it off; an account without it is unaffected.
 */
describe('two-factor sign-in (TOTP) through the gateway', () => {
  let stack: TestStack;
  let gateway: string;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    stack = await TestStack.start({ gateways: 1, authEnv: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' } });
    gateway = stack.gateway(0);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.close();
  }, 60_000);

  const device = (id: string) => ({ id, type: 'phone', name: 'Phone' });

  async function login(holder: { email: string; password: string }, deviceId: string, extra: Record<string, unknown> = {}) {
    return http(gateway, 'POST', '/v1/auth/login', { body: { email: holder.email, password: holder.password, device: device(deviceId), ...extra } });
  }

  it('enrols with a QR code, requires the code at sign-in once confirmed, no longer steps up by password alone, and turns off with a step-up and a recovery code', async () => {
    const holder = await stack.signUp();
    const signedIn = await login(holder, 'phone-1');
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.accessToken as string;

    // An account-wide change: no reauth token, no enrolment.
    const bare = await http(gateway, 'POST', '/v1/account/two-factor', { token });
    expect(bare.status).toBe(401);
    expect(bare.body.error.code).toBe('REAUTH_REQUIRED');

    const stepUp = await http(gateway, 'POST', '/v1/auth/step-up', { token, body: { password: holder.password } });
    expect(stepUp.status).toBe(200);
    const enrol = await http(gateway, 'POST', '/v1/account/two-factor', { token, headers: { 'X-Reauth-Token': stepUp.body.reauthToken } });
    expect(enrol.status).toBe(201);
    expect(enrol.headers.get('cache-control')).toBe('no-store');
    const { otpauthUri, qrCodeSvg, secret } = enrol.body as { otpauthUri: string; qrCodeSvg: string; secret: string };
    expect(otpauthUri).toBe(`otpauth://totp/Signoff:${encodeURIComponent(holder.email)}?issuer=Signoff&secret=${secret}&algorithm=SHA1&digits=6&period=30`);
    expect(qrCodeSvg.trimStart()).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(qrCodeSvg.trimEnd()).toMatch(/<\/svg>$/);
    expect(qrCodeSvg).toContain('<path');

    // Pending: sign-in does not ask yet.
    expect((await login(holder, 'tablet-1')).status).toBe(200);

    const confirm = await http(gateway, 'POST', '/v1/account/two-factor/confirm', { token, body: { code: codeFor(secret, -1) } });
    expect(confirm.status).toBe(200);
    const recoveryCodes = confirm.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);

    const required = await login(holder, 'tv-1');
    expect(required.status).toBe(401);
    expect(required.body).toEqual({ error: { code: 'OTP_REQUIRED', message: expect.any(String) } });
    const wrongPassword = await http(gateway, 'POST', '/v1/auth/login', { body: { email: holder.email, password: 'not the password', device: device('tv-1') } });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
    const code = codeFor(secret);
    const withCode = await login(holder, 'tv-1', { otpCode: code });
    expect(withCode.status).toBe(200);
    const replay = await login(holder, 'tv-2', { otpCode: code });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('INVALID_OTP');
    const recovered = await login(holder, 'tv-2', { otpCode: recoveryCodes[0] });
    expect(recovered.status).toBe(200);
    expect((await login(holder, 'tv-3', { otpCode: recoveryCodes[0] })).body.error.code).toBe('INVALID_OTP');

    const status = await http(gateway, 'GET', '/v1/account/two-factor', { token });
    expect(status.body).toEqual({ enabled: true, pending: false, recoveryCodesLeft: 9 });

    // The password alone no longer proves presence: a stolen session plus the password must not
    // change the password or sign the owner out, as it could not sign in.
    const byPassword = await http(gateway, 'POST', '/v1/auth/step-up', { token, body: { password: holder.password } });
    expect({ status: byPassword.status, code: byPassword.body.error.code }).toEqual({ status: 403, code: 'SECOND_FACTOR_REQUIRED' });
    const byWrongPassword = await http(gateway, 'POST', '/v1/auth/step-up', { token, body: { password: 'not the password' } });
    expect({ status: byWrongPassword.status, code: byWrongPassword.body.error.code }).toEqual({ status: 403, code: 'SECOND_FACTOR_REQUIRED' });
    const revokeAll = await http(gateway, 'POST', '/v1/sessions/revoke-all', { token, body: {}, headers: { 'X-Reauth-Token': 'ra_none' } });
    expect(revokeAll.body.error.code).toBe('REAUTH_REQUIRED');
    // An emailed code is the other way in.
    const sent = await http(gateway, 'POST', '/v1/auth/step-up/email-code', { token });
    expect(sent.status).toBe(202);
    const mailed = await smtp.waitFor(holder.email, { subject: /^Your Signoff verification code$/ });
    const emailed = /^\s+(\d{6})$/m.exec(mailed.text)![1];
    const byEmail = await http(gateway, 'POST', '/v1/auth/step-up', { token, body: { emailCode: emailed } });
    expect(byEmail.status).toBe(200);

    // Step up by a code, then turn it off with that step-up and a recovery code.
    const otpStepUp = await http(gateway, 'POST', '/v1/auth/step-up', { token, body: { otpCode: codeFor(secret, 1) } });
    expect(otpStepUp.status).toBe(200);
    const noReauth = await http(gateway, 'POST', '/v1/account/two-factor/disable', { token, body: { code: recoveryCodes[1] } });
    expect(noReauth.body.error.code).toBe('REAUTH_REQUIRED');
    const disable = await http(gateway, 'POST', '/v1/account/two-factor/disable', { token, headers: { 'X-Reauth-Token': otpStepUp.body.reauthToken }, body: { code: recoveryCodes[1] } });
    expect(disable.status).toBe(204);
    expect((await login(holder, 'tv-4')).status).toBe(200);
  });

  it('leaves an account without two-factor as it was, and rejects malformed codes at the edge', async () => {
    const holder = await stack.signUp();
    const signedIn = await login(holder, 'phone-1');
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.accessToken as string;
    expect((await http(gateway, 'GET', '/v1/account/two-factor', { token })).body).toEqual({ enabled: false, pending: false, recoveryCodesLeft: 0 });

    const stepUp = await http(gateway, 'POST', '/v1/auth/step-up', { token, body: { otpCode: '123456' } });
    expect(stepUp.status).toBe(403);
    expect(stepUp.body.error.code).toBe('STEP_UP_FAILED');
    const malformed = await login(holder, 'phone-2', { otpCode: '<script>' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    const unknownField = await http(gateway, 'POST', '/v1/account/two-factor/confirm', { token, body: { code: '123456', secret: 'x' } });
    expect(unknownField.status).toBe(400);
    const confirm = await http(gateway, 'POST', '/v1/account/two-factor/confirm', { token, body: { code: '123456' } });
    expect(confirm.status).toBe(409);
    expect(confirm.body.error.code).toBe('TWO_FACTOR_NOT_PENDING');
  });
});
