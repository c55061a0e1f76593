import { SignoffError } from '@signoff/contracts';

/** The token of an `Authorization: Bearer …` header, or a 401 saying what is wrong. */
export function bearerToken(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || header.length === 0) {
    throw new SignoffError('TOKEN_MISSING', 'send an access token as "Authorization: Bearer <token>"');
  }
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!match) throw new SignoffError('TOKEN_INVALID', 'the Authorization header is not a bearer token');
  return match[1];
}
