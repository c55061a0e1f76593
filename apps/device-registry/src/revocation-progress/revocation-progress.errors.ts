import { SignoffError } from '@signoff/contracts';

/** The same answer for "no such revocation" and "another account's": ids cannot be probed. */
export const revocationNotFound = (): SignoffError => new SignoffError('REVOCATION_NOT_FOUND', 'no such revocation on this account');
