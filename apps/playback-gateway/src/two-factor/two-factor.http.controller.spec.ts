import { RpcSubject } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { codeOf, principal } from '../testing/gateway-test-module';
import { Admission, Throttle } from '../throttling/throttle.service';
import { TwoFactorHttpController } from './two-factor.http.controller';

/** The controller over a recording RPC client and throttle; any unexpected subject fails the test. */
function controllerStub(replies: Partial<Record<string, unknown>>) {
  const calls: string[] = [];
  const sent: Array<{ subject: string; request: unknown }> = [];
  const rpc = {
    call: (subject: string, request: unknown) => {
      if (!(subject in replies)) throw new Error(`unexpected RPC ${subject}`);
      calls.push(`rpc ${subject}`);
      sent.push({ subject, request });
      return Promise.resolve(replies[subject]);
    },
  } as unknown as RpcClient;
  const throttle = {
    stepUp: (accountId: string, sessionId: string) => {
      calls.push(`throttle ${accountId}:${sessionId}`);
      return Promise.resolve(new Admission(async () => void calls.push('refund')));
    },
  } as unknown as Throttle;
  return { controller: new TwoFactorHttpController(rpc, throttle), calls, sent };
}

describe('TwoFactorHttpController', () => {
  const uri = 'otpauth://totp/Signoff:viewer%40example.test?issuer=Signoff&secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30';

  it('enrols with the reauth token and adds the URI as an SVG QR code', async () => {
    const { controller, sent } = controllerStub({ [RpcSubject.beginTwoFactorEnrolment]: { otpauthUri: uri, secret: 'JBSWY3DPEHPK3PXP' } });
    const caller = principal();
    const reply = await controller.enrol(caller, 'ra_token');
    expect(sent).toEqual([{ subject: RpcSubject.beginTwoFactorEnrolment, request: { accountId: caller.accountId, sessionId: caller.sessionId, reauthToken: 'ra_token' } }]);
    expect(reply.otpauthUri).toBe(uri);
    expect(reply.secret).toBe('JBSWY3DPEHPK3PXP');
    expect(reply.qrCodeSvg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
  });

  it('refuses a missing or oversized reauth token, calling nothing', async () => {
    const { controller, calls } = controllerStub({});
    expect(await codeOf(controller.enrol(principal(), undefined))).toBe('REAUTH_REQUIRED');
    expect(await codeOf(controller.enrol(principal(), 'x'.repeat(513)))).toBe('REAUTH_REQUIRED');
    expect(await codeOf(controller.disable(principal(), undefined, { code: '123456' }))).toBe('REAUTH_REQUIRED');
    expect(await codeOf(controller.regenerateRecoveryCodes(principal(), undefined))).toBe('REAUTH_REQUIRED');
    expect(calls).toEqual([]);
  });

  it('throttles code guesses like a step-up and refunds a success (step-up by code: POST /v1/auth/step-up)', async () => {
    const { controller, calls } = controllerStub({
      [RpcSubject.confirmTwoFactor]: { recoveryCodes: [] },
      [RpcSubject.disableTwoFactor]: { disabled: true },
    });
    const caller = principal();
    const throttled = `throttle ${caller.accountId}:${caller.sessionId}`;
    await controller.confirm(caller, { code: '123456' });
    await controller.disable(caller, 'ra_token', { code: '123456' });
    expect(calls).toEqual([
      throttled,
      `rpc ${RpcSubject.confirmTwoFactor}`,
      'refund',
      throttled,
      `rpc ${RpcSubject.disableTwoFactor}`,
      'refund',
    ]);
  });
});
