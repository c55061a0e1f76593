import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ACCOUNT_PAGE } from '@signoff/contracts';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The page's content security policy: its own scripts, styles and images only, nothing inline,
 * no plugins, no framing (clickjacking), no <base> tricks; API calls and nothing else go back to
 * this origin. Device names are rendered as text; this policy is the second line if one ever
 * were not.
 */
const PAGE_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
};

/**
 * Serves the built account page (apps/account-web) at /account with a strict CSP and the usual
 * hardening headers. Express middleware, so it runs before the global access-token guard: the
 * page is public, its API calls are not. `/account/reset` and `/account/not-me` (the links in
 * mails, `?token=…`) answer the page's index.html too. `Referrer-Policy: no-referrer` on all of it:
 * those URLs carry tokens. When the page was not built, /account says how to build it.
 */
export function mountAccountPage(app: NestExpressApplication, pageDir: string): void {
  const root = resolve(pageDir);
  app.use(
    ACCOUNT_PAGE.path,
    helmet({
      contentSecurityPolicy: PAGE_POLICY,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
    }),
    (_request: Request, response: Response, next: NextFunction) => {
      // The page shows account data: never from a shared cache.
      response.setHeader('Cache-Control', 'no-store');
      next();
    },
  );
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('AccountPage').warn(`account page not built (no ${join(root, 'index.html')}); run: npx nx build account-web`);
    app.use(ACCOUNT_PAGE.path, (_request: Request, response: Response) => {
      response.status(503).type('text/plain').send('The account page has not been built. Run: npx nx build account-web\n');
    });
    return;
  }
  app.useStaticAssets(root, { prefix: ACCOUNT_PAGE.path, index: 'index.html' });
  // The links in mails open views of the page, not files: the page itself (same headers as
  // above), which reads the token from the query. Only these two paths; anything else under
  // /account that is not a file stays a 404.
  const index = join(root, 'index.html');
  app.use([ACCOUNT_PAGE.resetPath, ACCOUNT_PAGE.notMePath], (request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || request.path !== '/') return next();
    response.sendFile(index, (error?: Error) => {
      if (error) next(error);
    });
  });
}
