/** How long a reconnecting client waits between attempts. */
export interface BackoffSettings {
  /** The cap of the first wait; each further attempt doubles it. */
  initialDelayMs: number;
  /** The cap never grows beyond this. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * The wait before attempt `attempt` (0 for the first): "full jitter", a random time between 0 and
 * min(max, initial × 2^attempt). Devices cut off together (a gateway drained, a network blip) then
 * come back spread out instead of in waves, and a long outage is retried at most every `maxDelayMs`.
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const cap = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * cap);
}
