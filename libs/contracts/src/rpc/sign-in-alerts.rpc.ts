import { IsString, Length } from 'class-validator';
import type { DeviceType } from '../domain';
import type { DeviceLocation } from './devices.rpc';

/** Request/reply payloads of the sign-in alert's "this wasn't me" link (subject `auth.sign-in-alerts.not-me.v1`). */

/** The token from the alert mail's link; no access token (the holder clicks from the mail). */
export class NotMeRequest {
  @IsString()
  @Length(1, 512)
  token!: string;
}

/** The sign-in an alert was about, as its mail told it: which device, when, from where. */
export interface NotMeSignIn {
  /** When the session started (ISO 8601). */
  at: string;
  device: {
    type: DeviceType;
    /** As the device named itself; null for alerts mailed before the name was kept with the token. */
    name: string | null;
    os: string | null;
  };
  /** Approximate place of the sign-in's address (GeoIP); every part null when unknown. */
  location: DeviceLocation;
  /** The sign-in's client address; null when there was none. */
  ip: string | null;
}

export interface NotMeReply {
  /** The revocation that signed the alerted session out (follow it at `GET /v1/revocations/:id`). */
  revocationId: string;
  /** Which device was signed out, when and where it had signed in (added; older services omit it). */
  signIn?: NotMeSignIn;
  /** Where the password-reset link was mailed, masked (`j•••@example.com`) (added; older services omit it). */
  resetMailedTo?: string;
}
