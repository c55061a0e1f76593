import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, RpcSubject, SignoffError } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { AccessTokenVerifier } from '@signoff/token-verification';
import { AccountHttpController } from '../account/account.http.controller';
import { DevicesHttpController } from '../devices/devices.http.controller';
import { RevocationFeed } from '../security-events/revocation-feed.service';
import { AccountManagement } from './account-management.decorator';
import { AccessTokenGuard, AuthenticatedRequest } from './access-token.guard';
import { AllowedWhileViewStale, IS_ALLOWED_WHILE_VIEW_STALE } from './allowed-while-view-stale.decorator';
import { AuthHttpController } from './auth.http.controller';
import { SessionCheck } from './session-check.service';

class Routes {
  watch(): string {
    return 'watch';
  }

  @AccountManagement()
  manage(): string {
    return 'manage';
  }
}

@AccountManagement()
class ManagementRoutes {
  anything(): string {
    return 'anything';
  }
}

function principal(kids: boolean): Principal {
  return { accountId: 'a', sessionId: 's', deviceId: 'd', kids, plan: 'basic', epoch: 1, expiresAt: Date.now() / 1000 + 600, ...(kids ? { profileId: 'p' } : {}) };
}

/** The guard over a verifier that knows one token, and a session check that admits everyone. */
function guardFor(caller: Principal): AccessTokenGuard {
  const verifier = { cached: () => caller, verify: () => Promise.resolve(caller) } as unknown as AccessTokenVerifier;
  const sessions = { viewIsCurrent: true, assertSignedIn: () => undefined } as unknown as SessionCheck;
  return new AccessTokenGuard(new Reflector(), verifier, sessions);
}

function contextFor(controller: object, handler: (...args: unknown[]) => unknown): { context: ExecutionContext; request: AuthenticatedRequest } {
  const request = { headers: { authorization: 'Bearer token' } } as AuthenticatedRequest;
  const context = {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

function outcome(guard: AccessTokenGuard, context: ExecutionContext): string {
  try {
    guard.canActivate(context);
    return 'admitted';
  } catch (error) {
    return (error as SignoffError).code;
  }
}

describe('AccessTokenGuard and @AccountManagement()', () => {
  it('refuses account-management routes (method or whole controller) to a kids profile, before the handler', () => {
    const kids = guardFor(principal(true));
    const method = contextFor(Routes, Routes.prototype.manage);
    expect(outcome(kids, method.context)).toBe('PROFILE_NOT_ALLOWED');
    expect(method.request.principal).toBeUndefined();
    expect(outcome(kids, contextFor(ManagementRoutes, ManagementRoutes.prototype.anything).context)).toBe('PROFILE_NOT_ALLOWED');
  });

  it('admits a kids profile elsewhere, and a grown-up profile everywhere', () => {
    expect(outcome(guardFor(principal(true)), contextFor(Routes, Routes.prototype.watch).context)).toBe('admitted');
    const grownUp = guardFor(principal(false));
    for (const [controller, handler] of [
      [Routes, Routes.prototype.manage],
      [ManagementRoutes, ManagementRoutes.prototype.anything],
    ] as const) {
      const { context, request } = contextFor(controller, handler);
      expect(outcome(grownUp, context)).toBe('admitted');
      expect(request.principal?.kids).toBe(false);
    }
  });
});

class SignOutRoutes {
  @AllowedWhileViewStale()
  signOut(): string {
    return 'signed out';
  }

  read(): string {
    return 'read';
  }
}

/** The guard over a real `SessionCheck`, a view that is stale (or not), and a fake auth-service. */
function staleGuardFor(options: { current?: boolean; revokedInView?: string; authService: () => Promise<unknown> }): {
  guard: AccessTokenGuard;
  asked: string[];
} {
  const caller = principal(false);
  const verifier = { cached: () => caller, verify: () => Promise.resolve(caller) } as unknown as AccessTokenVerifier;
  const feed = { isCurrent: () => options.current ?? false, view: { revocationFor: () => options.revokedInView } } as unknown as RevocationFeed;
  const asked: string[] = [];
  const rpc = {
    call: (subject: string, payload: { sessionId: string }) => {
      asked.push(`${subject} ${payload.sessionId}`);
      return options.authService();
    },
  } as unknown as RpcClient;
  return { guard: new AccessTokenGuard(new Reflector(), verifier, new SessionCheck(feed, rpc)), asked };
}

async function asyncOutcome(guard: AccessTokenGuard, context: ExecutionContext): Promise<string> {
  try {
    await guard.canActivate(context);
    return 'admitted';
  } catch (error) {
    return (error as SignoffError).code;
  }
}

describe('AccessTokenGuard and @AllowedWhileViewStale() while the revocation view is stale', () => {
  const signOut = () => contextFor(SignOutRoutes, SignOutRoutes.prototype.signOut).context;
  const read = () => contextFor(SignOutRoutes, SignOutRoutes.prototype.read).context;

  it('admits a sign-out route once auth-service confirms the session; other routes stay 503 without asking', async () => {
    const { guard, asked } = staleGuardFor({ authService: async () => ({}) });
    expect(await asyncOutcome(guard, signOut())).toBe('admitted');
    expect(asked).toEqual([`${RpcSubject.checkSession} s`]);
    expect(await asyncOutcome(guard, read())).toBe('REVOCATION_VIEW_STALE');
    expect(asked).toHaveLength(1);
  });

  it('refuses a revoked session with SESSION_REVOKED, from auth-service or from what the stale view already holds', async () => {
    const revoked = new SignoffError('SESSION_REVOKED', 'this session has been signed out', { logout: { revocationId: 'r1', purgeDownloads: true } });
    expect(await asyncOutcome(staleGuardFor({ authService: () => Promise.reject(revoked) }).guard, signOut())).toBe('SESSION_REVOKED');
    const known = staleGuardFor({ revokedInView: 'r0', authService: async () => ({}) });
    expect(await asyncOutcome(known.guard, signOut())).toBe('SESSION_REVOKED');
    expect(known.asked).toEqual([]);
  });

  it('stays 503 REVOCATION_VIEW_STALE when auth-service cannot answer either', async () => {
    for (const failure of [new SignoffError('DEPENDENCY_TIMEOUT', 'no answer'), new SignoffError('DEPENDENCY_UNAVAILABLE', 'away'), new Error('boom')]) {
      expect(await asyncOutcome(staleGuardFor({ authService: () => Promise.reject(failure) }).guard, signOut())).toBe('REVOCATION_VIEW_STALE');
    }
  });

  it('never asks auth-service while the view is current', async () => {
    const { guard, asked } = staleGuardFor({ current: true, authService: async () => ({}) });
    expect(await asyncOutcome(guard, signOut())).toBe('admitted');
    expect(asked).toEqual([]);
  });

  it('marks the sign-out routes (and the step-up they need), and no read', () => {
    const marked = (handler: object) => new Reflector().get<boolean>(IS_ALLOWED_WHILE_VIEW_STALE, handler as () => unknown) === true;
    const routes = {
      'POST /v1/sessions/revoke-all': DevicesHttpController.prototype.revokeAll,
      'POST /v1/devices/:id/sign-out': DevicesHttpController.prototype.signOut,
      'POST /v1/devices/:id/not-recognised': DevicesHttpController.prototype.notRecognised,
      'POST /v1/auth/logout': AuthHttpController.prototype.logout,
      'POST /v1/auth/step-up': AuthHttpController.prototype.stepUp,
      'POST /v1/auth/step-up/email-code': AuthHttpController.prototype.sendStepUpEmailCode,
      'POST /v1/account/password': AccountHttpController.prototype.changePassword,
      'GET /v1/devices': DevicesHttpController.prototype.list,
      'GET /v1/revocations/:id': DevicesHttpController.prototype.progress,
      'GET /v1/me': AuthHttpController.prototype.me,
      'GET /v1/auth/whoami': AuthHttpController.prototype.whoami,
    };
    expect(Object.fromEntries(Object.entries(routes).map(([route, handler]) => [route, marked(handler)]))).toEqual({
      'POST /v1/sessions/revoke-all': true,
      'POST /v1/devices/:id/sign-out': true,
      'POST /v1/devices/:id/not-recognised': true,
      'POST /v1/auth/logout': true,
      'POST /v1/auth/step-up': true,
      'POST /v1/auth/step-up/email-code': true,
      'POST /v1/account/password': true,
      'GET /v1/devices': false,
      'GET /v1/revocations/:id': false,
      'GET /v1/me': false,
      'GET /v1/auth/whoami': false,
    });
  });
});
