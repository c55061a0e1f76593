import { IsString, Matches } from 'class-validator';
import { SessionRef } from './auth.rpc';

/** Request/reply payloads of step-up by an emailed code (subjects `auth.step-up.email-code.*.v1`). */

/**
 * The emailed step-up code: six digits from a CSPRNG, valid ten minutes, five tries, one use,
 * bound to the account and the session that asked for it. Asking again replaces the previous
 * code. Only a keyed hash is stored.
 */
export const EMAIL_CODE_POLICY = {
  digits: 6,
  ttlSeconds: 10 * 60,
  maxAttempts: 5,
} as const;

/** Six digits; people paste codes with spaces, so those are allowed and ignored. */
export const EMAIL_CODE_PATTERN = /^\s*(\d\s*){6}$/;

/** Mail a step-up code to the account's address for this session. */
export class SendStepUpEmailCodeRequest extends SessionRef {}

export interface SendStepUpEmailCodeReply {
  /** Where the code went, masked (`j•••@example.com`) so the page can say so without the address. */
  sentTo: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

/** Step-up by the code the mail holds; answers the same reauth token a password step-up buys. */
export class EmailCodeStepUpRequest extends SessionRef {
  @IsString()
  @Matches(EMAIL_CODE_PATTERN, { message: 'emailCode must be the 6-digit code from the mail' })
  emailCode!: string;
}
