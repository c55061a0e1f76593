import { ChangePasswordRequest, RpcSubject } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { codeOf, principal } from '../testing/gateway-test-module';
import { Admission, Throttle } from '../throttling/throttle.service';
import { AccountHttpController } from './account.http.controller';

/** The controller over a recording RPC client and throttle; any other call fails the test. */
function controllerStub(reply: { revocationId?: string } = { revocationId: 'rev-1' }) {
  const calls: string[] = [];
  const sent: ChangePasswordRequest[] = [];
  const rpc = {
    call: (subject: string, request: ChangePasswordRequest) => {
      if (subject !== RpcSubject.changePassword) throw new Error(`unexpected RPC ${subject}`);
      calls.push('rpc');
      sent.push(request);
      return Promise.resolve(reply);
    },
  } as unknown as RpcClient;
  const throttle = {
    stepUp: (accountId: string, sessionId: string) => {
      calls.push(`throttle ${accountId}:${sessionId}`);
      return Promise.resolve(new Admission(async () => void calls.push('refund')));
    },
  } as unknown as Throttle;
  return { controller: new AccountHttpController(rpc, throttle), calls, sent };
}

describe('AccountHttpController.changePassword', () => {
  const body = { currentPassword: 'old password', newPassword: 'new password 123' };

  it('passes the session, the reauth token and signOutOtherDevices (default true) to auth-service, throttled like a step-up', async () => {
    const { controller, calls, sent } = controllerStub();
    const caller = principal();
    await expect(controller.changePassword(caller, 'ra_token', body)).resolves.toEqual({ revocationId: 'rev-1' });
    expect(sent).toEqual([
      { accountId: caller.accountId, sessionId: caller.sessionId, reauthToken: 'ra_token', currentPassword: 'old password', newPassword: 'new password 123', signOutOtherDevices: true },
    ]);
    expect(calls).toEqual([`throttle ${caller.accountId}:${caller.sessionId}`, 'rpc', 'refund']);
  });

  it('maps signOutAllDevices: false and answers {} when nothing was revoked', async () => {
    const { controller, sent } = controllerStub({});
    await expect(controller.changePassword(principal(), 'ra_token', { ...body, signOutAllDevices: false })).resolves.toEqual({});
    expect(sent[0].signOutOtherDevices).toBe(false);
  });

  // Kids profiles are refused by AccessTokenGuard (@AccountManagement), before any handler: see access-token.guard.spec.ts.
  it('refuses a missing or oversized reauth token with REAUTH_REQUIRED, calling nothing', async () => {
    const { controller, calls } = controllerStub();
    expect(await codeOf(controller.changePassword(principal(), undefined, body))).toBe('REAUTH_REQUIRED');
    expect(await codeOf(controller.changePassword(principal(), '', body))).toBe('REAUTH_REQUIRED');
    expect(await codeOf(controller.changePassword(principal(), 'x'.repeat(513), body))).toBe('REAUTH_REQUIRED');
    expect(calls).toEqual([]);
  });
});
