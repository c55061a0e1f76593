import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KeysRotatedV1 } from '@signoff/contracts';
import { AccessTokenVerifier } from '@signoff/token-verification';
import { RevocationFeed } from '../security-events/revocation-feed.service';

const REFRESH_INTERVAL_MS = 60_000;
/** Reloads after a rotation event until the key set matches it; then the minute timer takes over. */
const ROTATION_ATTEMPTS = 3;
const ROTATION_RETRY_MS = 1_000;

/**
 * Keeps the verifier's public keys current without a restart:
 * - at start, and on every `security.keys.rotated.v1` (from the SECURITY follower), at once: a
 *   new key is published a lead time before it signs, so it is here before its first token;
 * - every minute, the safety net should an event be missed;
 * - on an unknown `kid`, inside the verifier (rate-limited).
 * Reloads also drop retired keys.
 */
@Injectable()
export class SigningKeysRefresher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeysRefresher.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly verifier: AccessTokenVerifier,
    feed: RevocationFeed,
  ) {
    // Registered before the feed replays the stream at bootstrap.
    feed.onKeysRotated((rotation) => void this.followRotation(rotation));
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.verifier.refreshKeys();
      this.logger.log(`signing keys loaded: ${this.verifier.keyIds.length}`);
    } catch (error) {
      this.logger.warn(`signing keys not loaded yet (auth-service not answering): ${(error as Error).message}`);
    }
    this.timer = setInterval(() => {
      this.verifier.refreshKeys().catch((error: unknown) => this.logger.warn(`signing key refresh failed: ${(error as Error).message}`));
    }, REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Reloads until the key set reflects the rotation. More than one pass may be needed: a
   * reload already under way when the event arrived (the verifier joins callers to it) may
   * have been answered before the rotation committed.
   */
  private async followRotation(rotation: KeysRotatedV1): Promise<void> {
    for (let attempt = 1; attempt <= ROTATION_ATTEMPTS && !this.stopped; attempt++) {
      try {
        await this.verifier.refreshKeys();
        if (this.reflects(rotation)) {
          this.logger.log(`signing keys reloaded on rotation: kid=${rotation.kid} (signs from ${rotation.activatesAt}), retired [${rotation.retiredKids.join(', ')}]`);
          return;
        }
      } catch (error) {
        this.logger.warn(`signing key reload on rotation kid=${rotation.kid} failed: ${(error as Error).message}`);
      }
      if (attempt < ROTATION_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, ROTATION_RETRY_MS).unref());
    }
    // A later rotation may have retired this kid already; the minute timer settles it either way.
    this.logger.warn(`signing keys do not reflect rotation kid=${rotation.kid} yet; the periodic refresh will retry`);
  }

  private reflects(rotation: KeysRotatedV1): boolean {
    const known = new Set(this.verifier.keyIds);
    return known.has(rotation.kid) && !rotation.retiredKids.some((kid) => known.has(kid));
  }
}
