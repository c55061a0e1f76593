import { SignedOutEvent } from '@signoff/device-client';
import { SmtpSink } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/** Sign-ins also mail an alert; these tests read the reset mail. */
const RESET_MAIL = /^Reset your Signoff password$/;

/**
 * Forgot password, end to end: auth-service sends through a real SMTP server in this process.
 * Request (202) → the mail arrives → confirm with its token → the TV connected to the other
 * gateway is signed out (reason `password_reset`, logout directive, close 4001) → only the new
 * password signs in. An unknown email gets the identical 202 and no mail.
 */
describe('password reset (two gateways, real SMTP)', () => {
  let smtp: SmtpSink;
  let stack: TestStack;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    stack = await TestStack.start({ gateways: 2, authEnv: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.close();
  }, 60_000);

  const NEW_PASSWORD = 'a brand new passphrase 42';

  async function loginStatus(gateway: number, email: string, password: string): Promise<{ status: number; code?: string }> {
    const response = await http(stack.gateway(gateway), 'POST', '/v1/auth/login', {
      body: { email, password, device: { id: `laptop-${Date.now()}`, type: 'computer', name: 'Laptop' } },
    });
    return { status: response.status, code: response.body?.error?.code };
  }

  it('mails a link whose token resets the password and signs every device out', async () => {
    const { holder, tv } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const tvOut = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      tv.once('signed-out', (event) => void tv.closed().then(({ code }) => resolve({ event, code })));
    });

    const requested = await http(stack.gateway(1), 'POST', '/v1/auth/password-reset/request', { body: { email: holder.email } });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({});

    const mail = await smtp.waitFor(holder.email, { subject: RESET_MAIL });
    const match = /\/account\/reset\?token=(pr_[A-Za-z0-9_-]+)/.exec(mail.text);
    expect(match).not.toBeNull();
    const token = (match as RegExpExecArray)[1];

    const confirmed = await http(stack.gateway(1), 'POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword: NEW_PASSWORD } });
    expect(confirmed.status).toBe(200);
    const { revocationId } = confirmed.body as { revocationId: string };

    const { event, code } = await tvOut;
    expect(event).toEqual({ revocationId, reason: 'password_reset', via: 'websocket' });
    expect(code).toBe(4001);

    expect(await loginStatus(0, holder.email, holder.password)).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(await loginStatus(0, holder.email, NEW_PASSWORD)).toEqual({ status: 200, code: undefined });

    // The link works once.
    const again = await http(stack.gateway(0), 'POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword: 'another passphrase 43' } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('RESET_TOKEN_INVALID');
  });

  it('answers an unknown email with the identical 202 and sends nothing', async () => {
    const holder = await stack.signUp();
    const ghost = `ghost-${Date.now()}@signoff.test`;
    const unknown = await http(stack.gateway(0), 'POST', '/v1/auth/password-reset/request', { body: { email: ghost } });
    const known = await http(stack.gateway(0), 'POST', '/v1/auth/password-reset/request', { body: { email: holder.email } });
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    expect(unknown.status).toBe(202);
    await smtp.waitFor(holder.email, { subject: RESET_MAIL });
    expect(smtp.to(ghost)).toEqual([]);

    const bad = await http(stack.gateway(0), 'POST', '/v1/auth/password-reset/request', { body: { email: 'not an email' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});
