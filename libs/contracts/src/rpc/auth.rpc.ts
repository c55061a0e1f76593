import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsIP,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { INPUT_LIMITS, PLANS, Plan } from '../domain';
import { DeviceDescriptor } from '../events/device-descriptor';
import { PublicSigningKey, TIME_LIMITED_SIGN_IN } from '../token-policy';
import { NestedObject, OptionalField } from '../input-rules';

/** Request/reply payloads of auth-service (subjects `auth.*`). */

export class CreateAccountRequest {
  @IsEmail()
  @MaxLength(INPUT_LIMITS.emailMax)
  email!: string;

  @IsString()
  @Length(INPUT_LIMITS.passwordMin, INPUT_LIMITS.passwordMax)
  password!: string;

  @OptionalField()
  @IsIn(PLANS)
  plan?: Plan;
}
export interface CreateAccountReply {
  accountId: string;
}

export class LoginRequest {
  @IsString()
  @MaxLength(INPUT_LIMITS.emailMax)
  email!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.passwordMax)
  password!: string;

  @NestedObject(() => DeviceDescriptor)
  device!: DeviceDescriptor;

  /** Two-factor sign-in: a TOTP code or a recovery code, when the account asks for one. */
  @OptionalField()
  @IsString()
  @Length(6, 16)
  @Matches(/^[0-9A-Za-z -]{6,16}$/, { message: 'otpCode must be a 6-digit code or a recovery code' })
  otpCode?: string;

  /** A time-limited sign-in (a borrowed screen): the session ends by itself after this long. */
  @OptionalField()
  @IsInt()
  @Min(TIME_LIMITED_SIGN_IN.minSeconds)
  @Max(TIME_LIMITED_SIGN_IN.maxSeconds)
  sessionLifetimeSeconds?: number;

  @OptionalField()
  @IsIP()
  ip?: string;

  @OptionalField()
  @IsString()
  @MaxLength(512)
  userAgent?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  sessionId: string;
}
export interface LoginReply extends TokenPair {
  accountId: string;
}

export class RefreshRequest {
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}
export type RefreshReply = TokenPair;

/** Identifies the caller's session; filled by the gateway from the verified token, never the body. */
export class SessionRef {
  @IsUUID()
  accountId!: string;

  @IsUUID()
  sessionId!: string;
}

/**
 * Is this session still signed in (not revoked)? Asked by a gateway whose revocation view is
 * stale, before it lets a sign-out route act (`@AllowedWhileViewStale()`). `SESSION_REVOKED` or
 * `TOKEN_INVALID` when it may not.
 */
export class CheckSessionRequest extends SessionRef {}
export type CheckSessionReply = Record<string, never>;

export class LogoutRequest extends SessionRef {}
export interface LogoutReply {
  revocationId: string;
}

export class StepUpRequest extends SessionRef {
  @IsString()
  @Length(1, INPUT_LIMITS.passwordMax)
  password!: string;
}
export interface StepUpReply {
  reauthToken: string;
  expiresIn: number;
}

export class GetMeRequest extends SessionRef {}
export interface MeReply {
  account: { accountId: string; email: string; plan: Plan; createdAt: string };
  profiles: Array<{ profileId: string; name: string; kids: boolean }>;
  session: { sessionId: string; deviceId: string; profileId?: string; createdAt: string };
}

export class RevokeAllSessionsRequest extends SessionRef {
  @IsString()
  @Length(1, 512)
  reauthToken!: string;

  @IsBoolean()
  includeCurrent!: boolean;
}
export interface RevocationAccepted {
  revocationId: string;
}

export class SignOutDeviceRequest extends SessionRef {
  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  deviceId!: string;

  /** "Don't recognise this device?": recorded as reason `device_not_recognised` (default false). */
  @OptionalField()
  @IsBoolean()
  notRecognised?: boolean;
}

/** What the holder should do after signing out a device they do not recognise. */
export interface DeviceNotRecognisedReply extends RevocationAccepted {
  next: { action: 'change_password'; method: 'POST'; path: '/v1/account/password'; stepUp: 'POST /v1/auth/step-up' };
}

export class ListSigningKeysRequest {}
export interface ListSigningKeysReply {
  keys: PublicSigningKey[];
}

/** Empty: an operator asks for a rotation, nothing more (see `RotateSigningKeysReply`). */
export class RotateSigningKeysRequest {}
export interface RotateSigningKeysReply {
  /** The key that takes over: published now, signing from `activatesAt`. */
  kid: string;
  /** ISO 8601. */
  activatesAt: string;
  /** False when a rotation was already under way (a key not signing yet): that one is returned. */
  created: boolean;
}
