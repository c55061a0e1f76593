import { DeviceChannelClose } from '@signoff/contracts';
import { ApiError } from './api-error';

/** A channel that stayed open this long counts as healthy: the next reconnect starts the backoff afresh. */
export const STABLE_CHANNEL_MS = 10_000;

export interface ChannelIntent {
  /** The app asked for the channel (`connect()`) and has not called `disconnect()` since. */
  wanted: boolean;
  /** The client still holds tokens. */
  signedIn: boolean;
  /** A logout directive (or a refusal carrying one) was obeyed. */
  signedOut: boolean;
}

/** Closes after which the client does not reopen the channel on its own. */
const FINAL_CLOSES = new Set<number>([
  // Signed out: the session is over.
  DeviceChannelClose.signedOut.code,
  // A newer channel of the same session took this one's place: reopening would close that one in
  // turn, and the two would take turns for ever. The app may `connect()` again when it wants.
  DeviceChannelClose.replaced.code,
]);

/**
 * Whether a closed control channel is reopened: after any close (a drain's 1012, a network
 * failure, a gateway that died) except a sign-out (4001), a replacement by a newer channel of
 * the same session (4002) or the app's own `disconnect()`.
 */
export function reconnectsAfterClose(code: number, intent: ChannelIntent): boolean {
  return intent.wanted && intent.signedIn && !intent.signedOut && !FINAL_CLOSES.has(code);
}

/**
 * The backoff attempt a reconnect starts at: the first after a channel that had been up a while,
 * else where the last reconnect left off, so a gateway that accepts and drops at once is not hammered.
 */
export function firstAttemptAfterClose(openForMs: number, attemptsBefore: number): number {
  return openForMs >= STABLE_CHANNEL_MS ? 0 : attemptsBefore;
}

export type AfterFailedAttempt = 'retry' | 'refresh-then-retry' | 'give-up';

/**
 * What a failed reconnect attempt leads to. A refused token (401) is refreshed before the next
 * attempt, once; a refusal that will not change by retrying (403, 404) ends the reconnecting;
 * anything else (no answer, 503 from a draining or stale gateway, 429) is retried after the backoff.
 */
export function afterFailedAttempt(error: unknown, refreshedBefore: boolean): AfterFailedAttempt {
  if (!(error instanceof ApiError)) return 'retry';
  if (error.status === 401) return refreshedBefore ? 'retry' : 'refresh-then-retry';
  if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) return 'give-up';
  return 'retry';
}
