import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Plan, PLANS, Principal, SignoffError } from '@signoff/contracts';
import type { AuthenticatedRequest } from './access-token.guard';

/** The verified caller of a protected route (set by `AccessTokenGuard`). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new SignoffError('TOKEN_MISSING', 'this route needs an access token');
  return principal;
});

/** The caller's account and session, as most auth-service requests name them. */
export function sessionRefOf(principal: Principal): { accountId: string; sessionId: string } {
  return { accountId: principal.accountId, sessionId: principal.sessionId };
}

/** The caller's plan; a token naming a plan this build does not know counts as the smallest. */
export function planOf(principal: Principal): Plan {
  return (PLANS as readonly string[]).includes(principal.plan) ? (principal.plan as Plan) : 'basic';
}
