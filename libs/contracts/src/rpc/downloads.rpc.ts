import { IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';
import { INPUT_LIMITS, Plan, PLANS } from '../domain';
import { OptionalField } from '../input-rules';

/** Request/reply payloads of download licences (subjects `devices.downloads.*.v1`, device-registry). */

/**
 * Downloads: a licence per downloaded title per device, at most `perDevice[plan]` live at once on
 * one device, each valid `licenceDays` (the device renews by downloading again). Signing a device
 * out revokes its licences; the logout directive tells the device to delete the files.
 */
export const DOWNLOAD_POLICY = {
  perDevice: { basic: 5, standard: 25, premium: 100 } satisfies Record<Plan, number>,
  licenceDays: 30,
} as const;

const TITLE_ID = /^[A-Za-z0-9._:-]+$/;

export class IssueDownloadRequest {
  @IsUUID()
  accountId!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  deviceId!: string;

  /** The session asking: a licence is bound to it and dies with it. */
  @IsUUID()
  sessionId!: string;

  @IsIn(PLANS)
  plan!: Plan;

  @IsString()
  @Length(1, INPUT_LIMITS.titleIdMax)
  @Matches(TITLE_ID, { message: 'titleId may contain letters, digits and . _ : - only' })
  titleId!: string;
}

export interface DownloadLicence {
  licenceId: string;
  deviceId: string;
  titleId: string;
  issuedAt: string;
  expiresAt: string;
  /** Set once the licence is revoked (its device signed out, or the download deleted). */
  revokedAt: string | null;
  /** Why: `deleted` by the device, or the reason of the revocation that signed it out. */
  revokedReason: string | null;
}

export class ListDownloadsRequest {
  @IsUUID()
  accountId!: string;

  /** One device's licences; without it, every device's. */
  @OptionalField()
  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  deviceId?: string;

  /** `live` (default): unrevoked and unexpired only; `all`: the revoked ones too (the account page). */
  @OptionalField()
  @IsIn(['live', 'all'])
  include?: 'live' | 'all';
}
export interface ListDownloadsReply {
  licences: DownloadLicence[];
}

export class DeleteDownloadRequest {
  @IsUUID()
  accountId!: string;

  @IsString()
  @Length(1, INPUT_LIMITS.deviceIdMax)
  deviceId!: string;

  @IsUUID()
  licenceId!: string;
}
export type DeleteDownloadReply = Record<string, never>;
