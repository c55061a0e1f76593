import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, SignoffError } from '@signoff/contracts';
import { IS_PUBLIC } from '@signoff/service-kit';
import { AccessTokenVerifier } from '@signoff/token-verification';
import type { Request } from 'express';
import { IS_ACCOUNT_MANAGEMENT } from './account-management.decorator';
import { IS_ALLOWED_WHILE_VIEW_STALE } from './allowed-while-view-stale.decorator';
import { bearerToken } from './bearer-token';
import { SessionCheck } from './session-check.service';

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/**
 * Global guard: every route needs a valid, unrevoked access token unless marked `@Public()`;
 * routes marked `@AccountManagement()` are refused to a kids profile.
 * After the first request a token costs two Map lookups (verified-token cache, revocation view);
 * no call leaves the process, but for a route marked `@AllowedWhileViewStale()` while the view
 * is stale, whose session auth-service then confirms.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCheck,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    const cached = this.verifier.cached(token);
    if (cached) return this.admit(context, request, cached);
    return this.verifier.verify(token).then((principal) => this.admit(context, request, principal));
  }

  private admit(context: ExecutionContext, request: AuthenticatedRequest, principal: Principal): true | Promise<true> {
    // Only a stale view pays for this metadata lookup: the hot path stays two Map reads.
    if (!this.sessions.viewIsCurrent && this.reflector.get<boolean>(IS_ALLOWED_WHILE_VIEW_STALE, context.getHandler())) {
      return this.sessions.assertSignedInWithAuthService(principal).then(() => this.authorise(context, request, principal));
    }
    this.sessions.assertSignedIn(principal);
    return this.authorise(context, request, principal);
  }

  private authorise(context: ExecutionContext, request: AuthenticatedRequest, principal: Principal): true {
    // Only kids profiles pay for the route's metadata lookup: the hot path stays two Map reads.
    if (principal.kids && this.reflector.getAllAndOverride<boolean>(IS_ACCOUNT_MANAGEMENT, [context.getHandler(), context.getClass()])) {
      throw new SignoffError('PROFILE_NOT_ALLOWED', 'a kids profile cannot manage the account');
    }
    request.principal = principal;
    return true;
  }
}
