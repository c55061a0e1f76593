import { IsString, Length, Matches } from 'class-validator';
import { SessionRef } from './auth.rpc';

/**
 * Request/reply payloads of two-factor sign-in (TOTP, RFC 6238), subjects `auth.two-factor.*`
 * and `auth.step-up.otp.v1`. Every request names the caller's session (filled by the gateway
 * from the verified token); changes that turn two-factor on or off carry a reauth token.
 */

/** The TOTP parameters every authenticator app is told about (and the server checks). */
export const TOTP_POLICY = {
  issuer: 'Signoff',
  algorithm: 'SHA1',
  digits: 6,
  periodSeconds: 30,
  /** Codes of the previous and the next step are accepted too (clock drift between phone and server). */
  windowSteps: 1,
  recoveryCodeCount: 10,
} as const;

/**
 * What a code field may hold: a 6-digit TOTP code or a recovery code (`XXXXX-XXXXX`), with the
 * spaces or dashes people type. Capped so nothing long reaches a hash.
 */
export const OTP_CODE_PATTERN = /^[0-9A-Za-z -]{6,16}$/;

export class GetTwoFactorStatusRequest extends SessionRef {}
export interface TwoFactorStatusReply {
  /** Sign-in asks for a code. */
  enabled: boolean;
  /** An enrolment was started and not confirmed yet. */
  pending: boolean;
  /** Unused recovery codes left (0 when not enabled). */
  recoveryCodesLeft: number;
}

export class BeginTwoFactorEnrolmentRequest extends SessionRef {
  @IsString()
  @Length(1, 512)
  reauthToken!: string;
}
export interface TwoFactorEnrolmentReply {
  /** `otpauth://totp/Signoff:<email>?secret=…&issuer=Signoff&algorithm=SHA1&digits=6&period=30` */
  otpauthUri: string;
  /** The same secret in base32, for typing it in by hand. */
  secret: string;
}

export class ConfirmTwoFactorRequest extends SessionRef {
  @IsString()
  @Length(6, 16)
  @Matches(OTP_CODE_PATTERN, { message: 'code must be a 6-digit code' })
  code!: string;
}
export interface RecoveryCodesReply {
  /** Shown once; only their keyed hashes are stored. Each works once. */
  recoveryCodes: string[];
}

export class DisableTwoFactorRequest extends SessionRef {
  @IsString()
  @Length(1, 512)
  reauthToken!: string;

  @IsString()
  @Length(6, 16)
  @Matches(OTP_CODE_PATTERN, { message: 'code must be a 6-digit code or a recovery code' })
  code!: string;
}
export interface TwoFactorDisabledReply {
  disabled: true;
}

export class RegenerateRecoveryCodesRequest extends SessionRef {
  @IsString()
  @Length(1, 512)
  reauthToken!: string;
}

/** Step-up by a code instead of the password; answered with a `StepUpReply`. */
export class OtpStepUpRequest extends SessionRef {
  @IsString()
  @Length(6, 16)
  @Matches(OTP_CODE_PATTERN, { message: 'otpCode must be a 6-digit code or a recovery code' })
  otpCode!: string;
}
