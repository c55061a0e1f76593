import { SignedOutEvent } from '@signoff/device-client';
import { expectEventually, SmtpSink } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

const CODE_MAIL = /^Your Signoff verification code$/;
const CODES_PER_ACCOUNT = 3;

/**
 * "Sign out of all devices" confirmed by a code from the mail instead of the password: the phone
 * asks for a code on one gateway, the holder types it, the TV on the other gateway is cut. The
 * code is refused when malformed, wrong or mixed with another proof; mails are throttled.
 */
describe('step-up by emailed code (two gateways, real SMTP)', () => {
  let smtp: SmtpSink;
  let stack: TestStack;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    stack = await TestStack.start({
      gateways: 2,
      authEnv: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' },
      env: { THROTTLE_STEP_UP_EMAIL_CODES_PER_ACCOUNT: String(CODES_PER_ACCOUNT) },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.close();
  }, 60_000);

  async function mailedCode(email: string, nth = 1): Promise<string> {
    const mail = await expectEventually(() => {
      const mails = smtp.to(email, CODE_MAIL);
      if (mails.length < nth) throw new Error(`${mails.length} code mails so far`);
      return mails[nth - 1];
    });
    const match = /^\s+(\d{6})$/m.exec(mail.text);
    if (!match) throw new Error(`no code in:\n${mail.text}`);
    return match[1];
  }

  it('signs every device out with the mailed code in place of the password', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const tvOut = new Promise<{ event: SignedOutEvent; code: number }>((resolve) => {
      tv.once('signed-out', (event) => void tv.closed().then(({ code }) => resolve({ event, code })));
    });

    const sent = await phone.sendStepUpEmailCode();
    expect(sent).toEqual({ sentTo: `${holder.email[0]}•••${holder.email.slice(holder.email.indexOf('@'))}`, expiresIn: 600 });
    const code = await mailedCode(holder.email);

    const { revocationId } = await phone.signOutEverywhere({ emailCode: code });
    const { event, code: closeCode } = await tvOut;
    expect(event).toEqual({ revocationId, reason: 'sign_out_all', via: 'websocket' });
    expect(closeCode).toBe(4001);
  });

  it('refuses a malformed code, two proofs at once and a wrong code (saying how many tries are left); the right code still works', async () => {
    const { holder, phone } = await stack.tvAndPhone({ tv: 1, phone: 0 });
    const token = phone.tokens!.accessToken;
    const stepUp = (gateway: number, body: unknown) => http(stack.gateway(gateway), 'POST', '/v1/auth/step-up', { token, body });

    expect((await http(stack.gateway(0), 'POST', '/v1/auth/step-up/email-code', { token })).status).toBe(202);
    const code = await mailedCode(holder.email);
    const wrongCode = code === '000000' ? '000001' : '000000';

    for (const body of [{ emailCode: '12345' }, { emailCode: 'abcdef' }, { emailCode: 123456 }, { emailCode: code, password: holder.password }, {}]) {
      const answer = await stepUp(0, body);
      expect({ body, status: answer.status, code: answer.body.error.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const wrong = await stepUp(1, { emailCode: wrongCode });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'STEP_UP_FAILED', attemptsLeft: 4 });

    // Sent through one gateway, used through the other.
    const right = await stepUp(1, { emailCode: code });
    expect(right.status).toBe(200);
    expect(right.body.reauthToken).toEqual(expect.any(String));
    const again = await stepUp(0, { emailCode: code });
    expect(again.status).toBe(403);
    expect(again.body.error).toMatchObject({ code: 'STEP_UP_FAILED', attemptsLeft: 0 });
  });

  it('mails at most THROTTLE_STEP_UP_EMAIL_CODES_PER_ACCOUNT codes per window, across sessions and gateways', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const send = (gateway: number, token: string) => http(stack.gateway(gateway), 'POST', '/v1/auth/step-up/email-code', { token });
    const tokens = [phone.tokens!.accessToken, tv.tokens!.accessToken];
    for (let i = 0; i < CODES_PER_ACCOUNT; i++) expect((await send(i % 2, tokens[i % 2])).status).toBe(202);
    const refused = await send(0, tokens[1]);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    await mailedCode(holder.email, CODES_PER_ACCOUNT);
    expect(smtp.to(holder.email, CODE_MAIL)).toHaveLength(CODES_PER_ACCOUNT);
  });

  it('asks for a token: no code is mailed to an anonymous caller', async () => {
    const answer = await http(stack.gateway(0), 'POST', '/v1/auth/step-up/email-code');
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('TOKEN_MISSING');
  });
});
