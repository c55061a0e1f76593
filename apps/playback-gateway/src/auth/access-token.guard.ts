import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, SignoffError } from '@signoff/contracts';
import { IS_PUBLIC } from '@signoff/service-kit';
import { AccessTokenVerifier } from '@signoff/token-verification';
import type { Request } from 'express';
import { IS_ACCOUNT_MANAGEMENT } from './account-management.decorator';
import { bearerToken } from './bearer-token';
import { SessionCheck } from './session-check.service';

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/**
 * Global guard: every route needs a valid, unrevoked access token unless marked `@Public()`;
 * routes marked `@AccountManagement()` are refused to a kids profile.
 * After the first request a token costs two Map lookups (verified-token cache, revocation view);
 * no call leaves the process.
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
    const forGrownUps = this.reflector.getAllAndOverride<boolean>(IS_ACCOUNT_MANAGEMENT, [context.getHandler(), context.getClass()]) ?? false;
    const cached = this.verifier.cached(token);
    if (cached) return this.admit(request, cached, forGrownUps);
    return this.verifier.verify(token).then((principal) => this.admit(request, principal, forGrownUps));
  }

  private admit(request: AuthenticatedRequest, principal: Principal, forGrownUps: boolean): true {
    this.sessions.assertSignedIn(principal);
    if (forGrownUps && principal.kids) throw new SignoffError('PROFILE_NOT_ALLOWED', 'a kids profile cannot manage the account');
    request.principal = principal;
    return true;
  }
}
