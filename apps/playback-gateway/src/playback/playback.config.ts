import { LIVE_STATE } from '@signoff/contracts';
import { IsInt, Max, Min } from 'class-validator';

/** Settings of playback, read from the environment once by `loadConfig` (see `playback.module.ts`). */
export class PlaybackConfig {
  /**
   * A stream whose heartbeats stop frees its place after this long. Devices heartbeat every
   * 30 s; 90 s forgives two lost beats. Every gateway of a deployment must use the same value.
   */
  @IsInt()
  @Min(2)
  @Max(3_600)
  PLAYBACK_HEARTBEAT_TIMEOUT_SECONDS = LIVE_STATE.playbackTimeoutSeconds;
}
