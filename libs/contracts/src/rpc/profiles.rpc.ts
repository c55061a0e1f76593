import { IsBoolean, IsString, IsUUID, Length, Matches } from 'class-validator';
import { SessionRef } from './auth.rpc';
import { OptionalField } from '../input-rules';

/** Request/reply payloads of profiles (subjects `auth.profiles.*.v1`). */

/** The rules profiles follow, shared by auth-service (which enforces them) and the clients. */
export const PROFILE_POLICY = {
  maxPerAccount: 5,
  nameMax: 50,
  /** The profile every account starts with. */
  defaultName: 'Main',
} as const;

/** Any printable text, no control characters; trimmed, compared case-insensitively per account. */
const PROFILE_NAME = /^[^\p{Cc}\p{Cf}]+$/u;

export interface ProfileView {
  profileId: string;
  name: string;
  kids: boolean;
  createdAt: string;
}

export class ListProfilesRequest extends SessionRef {}
export interface ListProfilesReply {
  profiles: ProfileView[];
  /** The profile this session has selected (null: none yet). */
  selectedProfileId: string | null;
}

export class CreateProfileRequest extends SessionRef {
  @IsString()
  @Length(1, PROFILE_POLICY.nameMax)
  @Matches(PROFILE_NAME, { message: 'name must be printable text' })
  name!: string;

  @OptionalField()
  @IsBoolean()
  kids?: boolean;
}
export interface CreateProfileReply {
  profileId: string;
}

export class RenameProfileRequest extends SessionRef {
  @IsUUID()
  profileId!: string;

  @IsString()
  @Length(1, PROFILE_POLICY.nameMax)
  @Matches(PROFILE_NAME, { message: 'name must be printable text' })
  name!: string;
}

export class DeleteProfileRequest extends SessionRef {
  @IsUUID()
  profileId!: string;
}

export type ProfileChangedReply = Record<string, never>;

/**
 * This session watches as `profileId` from now on: answers a new access token that carries it
 * (refreshes keep it). Leaving a kids profile for a grown-up one needs a reauth token (step-up):
 * otherwise a kids profile could lift its own restrictions.
 */
export class SelectProfileRequest extends SessionRef {
  @IsUUID()
  profileId!: string;

  @OptionalField()
  @IsString()
  @Length(1, 512)
  reauthToken?: string;
}
export interface SelectProfileReply {
  accessToken: string;
  expiresIn: number;
  sessionId: string;
  profileId: string;
  kids: boolean;
}
