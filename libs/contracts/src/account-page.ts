import { INPUT_LIMITS } from './domain';

/**
 * What the account page (apps/account-web) and the gateway agree on. The page marks each of its
 * requests with `clientHeader`; for such requests the gateway keeps the refresh token in an
 * HttpOnly cookie sent only to the refresh route, never in a body the page's script could read.
 */
export const ACCOUNT_PAGE = {
  /** Where the gateway serves the page. */
  path: '/account',
  /**
   * The page's views that mails link to, with `?token=…` (auth-service's reset mail and sign-in
   * alert build these links): choose a new password, and "this wasn't me". The gateway answers
   * them with the page itself, which picks the view by path.
   */
  resetPath: '/account/reset',
  notMePath: '/account/not-me',
  /** The lengths a new password must have (the API enforces them: sign-up, change, reset). */
  passwordLength: { min: INPUT_LIMITS.passwordMin, max: INPUT_LIMITS.passwordMax },
  /**
   * A custom header: a cross-site page cannot send it without a CORS preflight, which the gateway
   * never approves, so its presence alone proves the request came from a same-origin script.
   */
  clientHeader: 'x-signoff-client',
  clientName: 'account-page',
  refreshCookie: 'signoff_refresh',
  /** The only path the refresh cookie is sent to (login, refresh and logout set or clear it). */
  refreshCookiePath: '/v1/auth/refresh',
} as const;

/**
 * Refresh failures after which the session is over for good: the page must sign in again, and
 * the gateway clears the refresh cookie. (Error codes, listed with their statuses in errors.ts.)
 */
export const SESSION_ENDING_ERRORS: readonly string[] = ['SESSION_REVOKED', 'REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID', 'SESSION_EXPIRED'];
