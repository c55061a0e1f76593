/** Vocabulary shared by every service: plans, device kinds, statuses, reasons. */

export const PLANS = ['basic', 'standard', 'premium'] as const;
export type Plan = (typeof PLANS)[number];

/** Concurrent streams allowed per plan. */
export const STREAM_LIMIT: Record<Plan, number> = { basic: 1, standard: 2, premium: 4 };

export const DEVICE_TYPES = ['tv', 'phone', 'tablet', 'computer', 'browser', 'console', 'streaming_stick', 'other'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const DEVICE_STATUSES = ['streaming', 'paused', 'online', 'offline', 'logout_pending', 'signed_out'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** How far one device has got in one revocation. Later states win over earlier ones. */
export const PROGRESS_STATES = ['pending', 'cut', 'acknowledged', 'logged_out_on_reconnect'] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];
export const PROGRESS_RANK: Record<ProgressState, number> = {
  pending: 0,
  cut: 1,
  acknowledged: 2,
  logged_out_on_reconnect: 2,
};

export const REVOCATION_SCOPES = ['all_devices', 'device', 'session'] as const;
export type RevocationScope = (typeof REVOCATION_SCOPES)[number];

export const REVOCATION_REASONS = [
  'sign_out_all',
  'sign_out_device',
  'logout',
  'refresh_token_reused',
  'replaced_by_new_sign_in',
  'password_changed',
  'password_reset',
  /** The session reached the end of its lifetime (a time-limited sign-in, or the absolute or idle limit). */
  'session_expired',
  /** The holder did not recognise the device ("Don't recognise this device?"); a password change follows. */
  'device_not_recognised',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** Limits on what clients may send, in one place so every edge caps the same way. */
export const INPUT_LIMITS = {
  emailMax: 254,
  passwordMin: 8,
  /** argon2 input is capped before hashing so a megabyte password cannot burn a core. */
  passwordMax: 256,
  deviceIdMax: 128,
  deviceNameMax: 100,
  shortTextMax: 100,
  titleIdMax: 128,
  jsonBodyBytes: 16 * 1024,
  /** Deepest nesting of objects and arrays in a request (docs/security.md, "Hostile input"). */
  jsonMaxDepth: 32,
} as const;
