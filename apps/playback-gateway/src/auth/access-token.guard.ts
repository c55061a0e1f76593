import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal } from '@signoff/contracts';
import { IS_PUBLIC } from '@signoff/service-kit';
import { AccessTokenVerifier } from '@signoff/token-verification';
import type { Request } from 'express';
import { bearerToken } from './bearer-token';
import { SessionCheck } from './session-check.service';

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/**
 * Global guard: every route needs a valid, unrevoked access token unless marked `@Public()`.
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
    const cached = this.verifier.cached(token);
    if (cached) return this.admit(request, cached);
    return this.verifier.verify(token).then((principal) => this.admit(request, principal));
  }

  private admit(request: AuthenticatedRequest, principal: Principal): true {
    this.sessions.assertSignedIn(principal);
    request.principal = principal;
    return true;
  }
}
