import { INPUT_LIMITS, OptionalField } from '@signoff/contracts';
import { IsIn, IsInt, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

export class StartPlaybackBody {
  @IsString()
  @Length(1, INPUT_LIMITS.titleIdMax)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'titleId may contain letters, digits and . _ : - only' })
  titleId!: string;

  @OptionalField()
  @IsUUID()
  profileId?: string;
}

export class HeartbeatBody {
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600 * 1000)
  positionMs!: number;

  @IsIn(['playing', 'paused'])
  state!: 'playing' | 'paused';
}
