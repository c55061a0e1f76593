/**
 * Every error code a client can see, with its HTTP status. The table is a `Record`, so adding
 * a code without a status does not compile. Codes cross process boundaries as strings
 * (`instanceof` does not survive a NATS hop), so `SignoffError` is rebuilt from `code` on arrival.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,

  INVALID_CREDENTIALS: 401,
  RATE_LIMITED: 429,

  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  SESSION_REVOKED: 401,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  SESSION_EXPIRED: 401,
  REAUTH_REQUIRED: 401,
  STEP_UP_FAILED: 403,
  /** Step-up by password on an account with two-step verification: it takes the authenticator code or an emailed code. */
  SECOND_FACTOR_REQUIRED: 403,
  /** Two-factor sign-in: the password was right and the account asks for a code (none sent). */
  OTP_REQUIRED: 401,
  /** Two-factor sign-in: the code (TOTP or recovery code) is wrong, expired or already used. */
  INVALID_OTP: 401,
  /** A kids profile: an account-management route, or a stream started under another profile. */
  PROFILE_NOT_ALLOWED: 403,
  /** The account page's cookie routes: the request came from another site (or lacked the page's marker header). */
  CROSS_SITE_REQUEST: 403,
  /** Password reset: the emailed token is unknown, used, superseded or expired (one answer for all). */
  RESET_TOKEN_INVALID: 400,
  /** Sign-in alert: the "this wasn't me" token is unknown, used or expired (one answer for all). */
  NOT_ME_TOKEN_INVALID: 400,

  ACCOUNT_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  REVOCATION_NOT_FOUND: 404,
  PLAYBACK_NOT_FOUND: 404,
  PROFILE_NOT_FOUND: 404,
  STREAM_LIMIT_REACHED: 409,
  /** Profiles: the account has its five already. */
  PROFILE_LIMIT_REACHED: 409,
  /** Profiles: another profile of the account has this name (case-insensitive). */
  PROFILE_NAME_TAKEN: 409,
  /** Downloads: this device holds its plan's number of live download licences already. */
  DOWNLOAD_LIMIT_REACHED: 409,
  DOWNLOAD_NOT_FOUND: 404,
  /** Profiles: an account keeps at least one grown-up profile. */
  LAST_ADULT_PROFILE: 409,
  TWO_FACTOR_ALREADY_ENABLED: 409,
  TWO_FACTOR_NOT_ENABLED: 409,
  TWO_FACTOR_NOT_PENDING: 409,

  REVOCATION_VIEW_STALE: 503,
  DEPENDENCY_UNAVAILABLE: 503,
  DEPENDENCY_TIMEOUT: 504,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/** Extra, safe-to-show data that travels with some errors (e.g. the logout directive). */
export interface ErrorDetails {
  logout?: { revocationId: string; purgeDownloads: true };
  retryAfterSeconds?: number;
  /** Who a revoked session belonged to; used by the gateway to report progress, never shown. */
  accountId?: string;
  deviceId?: string;
  sessionId?: string;
  fields?: string[];
  /** Tries left on an emailed step-up code; shown to the client (`error.attemptsLeft`). */
  attemptsLeft?: number;
}

/** A domain failure with a stable code; mapped to HTTP and RPC by one filter per transport. */
export class SignoffError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'SignoffError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The shape that crosses NATS. */
  toWire(): WireError {
    return { code: this.code, message: this.message, details: this.details };
  }

  static fromWire(value: unknown): SignoffError | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const { code, message, details } = value as Partial<WireError>;
    if (!isErrorCode(code)) return undefined;
    return new SignoffError(code, typeof message === 'string' ? message : code, details ?? {});
  }
}

export interface WireError {
  code: ErrorCode;
  message: string;
  details: ErrorDetails;
}

/** The HTTP error envelope of the public contract. */
export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; attemptsLeft?: number };
  logout?: { revocationId: string; purgeDownloads: true };
}
