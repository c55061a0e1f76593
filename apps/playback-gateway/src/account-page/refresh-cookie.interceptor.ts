import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ACCOUNT_PAGE, REFRESH_LIFETIMES, SESSION_ENDING_ERRORS, SignoffError } from '@signoff/contracts';
import type { CookieOptions, Request, Response } from 'express';
import { catchError, map, Observable, throwError } from 'rxjs';
import { isAccountPageRequest, requireSameOriginPage } from './page-request';

const COOKIE: CookieOptions = {
  httpOnly: true,
  // Browsers accept Secure cookies from http://localhost, so the local stack works without TLS.
  secure: true,
  sameSite: 'strict',
  path: ACCOUNT_PAGE.refreshCookiePath,
};

/**
 * On the routes that hand out refresh tokens (sign-in, refresh) and on sign-out: for
 * requests from the account page, the refresh token travels in an HttpOnly cookie scoped to the
 * refresh route instead of the JSON body, so no script on the page can ever read it.
 * Other clients (devices) are untouched: body in, body out.
 */
@Injectable()
export class RefreshCookieInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // Parsed on the refresh route only (see gateway.ts): the one path the browser sends it to.
    const cookieToken: unknown = request.cookies?.[ACCOUNT_PAGE.refreshCookie];
    if (!isAccountPageRequest(request)) {
      // A cookie without the page's header: someone else's request riding on the browser's cookie.
      if (cookieToken !== undefined && isRefreshRoute(request)) requireSameOriginPage(request);
      return next.handle();
    }
    requireSameOriginPage(request);
    if (isRefreshRoute(request)) {
      if (typeof cookieToken !== 'string' || cookieToken === '') {
        throw new SignoffError('REFRESH_TOKEN_INVALID', 'this browser holds no sign-in; sign in again');
      }
      request.body = { refreshToken: cookieToken };
    }
    return next.handle().pipe(
      map((reply: unknown) => {
        if (isLogout(request)) {
          response.clearCookie(ACCOUNT_PAGE.refreshCookie, COOKIE);
          return reply;
        }
        return moveRefreshTokenToCookie(reply, response);
      }),
      catchError((error: unknown) => {
        if (error instanceof SignoffError && SESSION_ENDING_ERRORS.includes(error.code)) response.clearCookie(ACCOUNT_PAGE.refreshCookie, COOKIE);
        return throwError(() => error);
      }),
    );
  }
}

function moveRefreshTokenToCookie(reply: unknown, response: Response): unknown {
  if (typeof reply !== 'object' || reply === null || !('refreshToken' in reply)) return reply;
  const { refreshToken, ...rest } = reply as { refreshToken: unknown };
  if (typeof refreshToken === 'string') {
    // The browser's idle lifetime: every refresh sets the cookie again, as it slides the session.
    response.cookie(ACCOUNT_PAGE.refreshCookie, refreshToken, { ...COOKIE, maxAge: REFRESH_LIFETIMES.browser.idleSeconds * 1000 });
  }
  return rest;
}

function isRefreshRoute(request: Request): boolean {
  return request.path === ACCOUNT_PAGE.refreshCookiePath;
}

function isLogout(request: Request): boolean {
  return request.path === '/v1/auth/logout';
}
