import type { NestExpressApplication } from '@nestjs/platform-express';
import { findInputProblems, INPUT_LIMITS, SignoffError } from '@signoff/contracts';
import type { NextFunction, Request, Response } from 'express';

/**
 * How the gateway reads request bodies (docs/security.md, "Hostile input"): JSON only, strictly.
 * The app is created with Nest's own parsers off (they add urlencoded with `extended: true`,
 * which turned `device[id]=x` into objects and a body without `device` into a crash), and gets:
 *
 * 1. any body that is not `application/json` → 415 `UNSUPPORTED_MEDIA_TYPE` (forms, text, none);
 * 2. the JSON parser: objects or arrays only (`strict`), at most `limitBytes`;
 * 3. a depth cap: a body nesting objects or arrays deeper than `INPUT_LIMITS.jsonMaxDepth` → 400
 *    `VALIDATION_FAILED`, before the validation pipe (or anything else) walks it recursively.
 */
export function mountJsonBodyParsing(app: NestExpressApplication, limitBytes: number): void {
  app.use(onlyJsonBodies);
  app.useBodyParser('json', { limit: limitBytes, strict: true, type: 'application/json' });
  app.use(capBodyDepth);
}

/** A request carries a body when it says so: chunked, or a Content-Length other than zero. */
export function hasBody(request: Pick<Request, 'headers'>): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

export function onlyJsonBodies(request: Request, _response: Response, next: NextFunction): void {
  if (hasBody(request) && !request.is('application/json')) {
    next(new SignoffError('UNSUPPORTED_MEDIA_TYPE', 'request bodies are JSON: send Content-Type: application/json'));
    return;
  }
  next();
}

export function capBodyDepth(request: Request, _response: Response, next: NextFunction): void {
  const [tooDeep] = findInputProblems(request.body, { maxDepth: INPUT_LIMITS.jsonMaxDepth, text: false }, 1);
  if (tooDeep) {
    const field = tooDeep.path.split('.')[0] ?? tooDeep.path;
    next(new SignoffError('VALIDATION_FAILED', `the body nests objects or arrays deeper than ${INPUT_LIMITS.jsonMaxDepth} levels (at ${field})`, { fields: [field] }));
    return;
  }
  next();
}
