import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Principal, SignoffError } from '@signoff/contracts';
import type { AuthenticatedRequest } from './access-token.guard';

/** The verified caller of a protected route (set by `AccessTokenGuard`). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new SignoffError('TOKEN_MISSING', 'this route needs an access token');
  return principal;
});
