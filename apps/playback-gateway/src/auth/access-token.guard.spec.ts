import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, SignoffError } from '@signoff/contracts';
import { AccessTokenVerifier } from '@signoff/token-verification';
import { AccountManagement } from './account-management.decorator';
import { AccessTokenGuard, AuthenticatedRequest } from './access-token.guard';
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
  const sessions = { assertSignedIn: () => undefined } as unknown as SessionCheck;
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
