import { SignoffError } from '@signoff/contracts';

/** The `X-Reauth-Token` an account-wide action needs (from `POST /v1/auth/step-up`); 401 `REAUTH_REQUIRED` without one. */
export function requireReauthToken(header: string | undefined): string {
  if (!header || header.length > 512) {
    throw new SignoffError('REAUTH_REQUIRED', 'confirm it is you first (POST /v1/auth/step-up) and send the token as X-Reauth-Token');
  }
  return header;
}
