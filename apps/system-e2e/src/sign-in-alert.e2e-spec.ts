import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually, ReceivedMail, SmtpSink } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * Sign-in alerts, end to end, with auth-service sending through a real SMTP server in this
 * process: the TV's sign-in mails an alert naming it; the alert's "this wasn't me" link, posted
 * to the other gateway as the web page would, signs the TV out (logout directive, close 4001)
 * and a password-reset mail arrives. The link works once.
 */
describe('sign-in alert (two gateways, real SMTP)', () => {
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

  const mailsTo = (email: string, subject: RegExp): ReceivedMail[] => smtp.to(email).filter((m) => subject.test(m.subject));

  it('mails an alert for the TV sign-in whose not-me link signs the TV out and starts a password reset', async () => {
    const { holder, tv } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const tvOut = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      tv.once('signed-out', (event) => void tv.closed().then(({ code }) => resolve({ event, code })));
    });

    const alert = await expectEventually(() => {
      const found = mailsTo(holder.email, /^New sign-in to Signoff: TV$/);
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(alert.text).toContain('Device: TV (tv');
    expect(alert.text).toMatch(/Where: (near .+ \(approximate, address [0-9a-f.:]+\)|unknown location( \(address [0-9a-f.:]+\))?)$/m);
    const match = /\/account\/not-me\?token=(nm_[A-Za-z0-9_-]+)/.exec(alert.text);
    expect(match).not.toBeNull();
    const token = (match as RegExpExecArray)[1];

    const notMe = await http(stack.gateway(1), 'POST', '/v1/auth/not-me', { body: { token } });
    expect(notMe.status).toBe(200);
    const { revocationId } = notMe.body as { revocationId: string };
    expect(revocationId).toEqual(expect.any(String));

    const { event, code } = await tvOut;
    expect(event).toEqual({ revocationId, reason: 'sign_out_device', via: 'websocket' });
    expect(code).toBe(4001);

    const reset = await expectEventually(() => {
      const found = mailsTo(holder.email, /^Reset your Signoff password$/);
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(reset.text).toMatch(/\/account\/reset\?token=pr_[A-Za-z0-9_-]+/);

    // The link works once; garbage and unknown fields get 400s with codes.
    const again = await http(stack.gateway(0), 'POST', '/v1/auth/not-me', { body: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('NOT_ME_TOKEN_INVALID');
    const garbage = await http(stack.gateway(0), 'POST', '/v1/auth/not-me', { body: { token: 'nm_nothing' } });
    expect({ status: garbage.status, code: garbage.body.error.code }).toEqual({ status: 400, code: 'NOT_ME_TOKEN_INVALID' });
    const extra = await http(stack.gateway(0), 'POST', '/v1/auth/not-me', { body: { token, admin: true } });
    expect({ status: extra.status, code: extra.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
