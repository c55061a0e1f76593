import { IsString, Length } from 'class-validator';

/** Request/reply payloads of the sign-in alert's "this wasn't me" link (subject `auth.sign-in-alerts.not-me.v1`). */

/** The token from the alert mail's link; no access token (the holder clicks from the mail). */
export class NotMeRequest {
  @IsString()
  @Length(1, 512)
  token!: string;
}

export interface NotMeReply {
  /** The revocation that signed the alerted session out (follow it at `GET /v1/revocations/:id`). */
  revocationId: string;
}
