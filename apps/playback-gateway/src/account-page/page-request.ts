import { ACCOUNT_PAGE, SignoffError } from '@signoff/contracts';
import type { Request } from 'express';

/** True when the account page's script sent the request (it alone sets the marker header). */
export function isAccountPageRequest(request: Request): boolean {
  return request.headers[ACCOUNT_PAGE.clientHeader] === ACCOUNT_PAGE.clientName;
}

/**
 * Cross-site request protection for the routes that set or read the refresh cookie. Three
 * independent checks, any one of which stops a forged request on its own:
 * - the marker header: a cross-site page cannot add a custom header without a CORS preflight,
 *   and the gateway answers no preflight;
 * - `Sec-Fetch-Site` (sent by every current browser) must say the request came from this origin
 *   (or from no page at all, as for a bookmark);
 * - `Origin`, when present, must be this gateway's own origin (as the browser reached it).
 * The cookie itself is `SameSite=Strict`, a fourth layer the browser enforces.
 */
export function requireSameOriginPage(request: Request): void {
  if (!isAccountPageRequest(request)) {
    throw new SignoffError('CROSS_SITE_REQUEST', `the sign-in cookie is only used by the account page (header ${ACCOUNT_PAGE.clientHeader})`);
  }
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new SignoffError('CROSS_SITE_REQUEST', 'this request came from another site');
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(request)) {
    throw new SignoffError('CROSS_SITE_REQUEST', 'this request came from another origin');
  }
}

/** The origin the browser used to reach us (behind a trusted proxy, from X-Forwarded-Proto and -Host). */
function ownOrigin(request: Request): string {
  return `${request.protocol}://${request.host}`;
}
