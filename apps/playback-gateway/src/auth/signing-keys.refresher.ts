import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AccessTokenVerifier } from '@signoff/token-verification';

const REFRESH_INTERVAL_MS = 60_000;

/**
 * Loads the signer's public keys at start and refreshes them every minute, so retired keys
 * stop verifying and new ones are known before the first token signed with them arrives.
 * (An unknown `kid` also triggers a refresh, rate-limited, inside the verifier.)
 */
@Injectable()
export class SigningKeysRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SigningKeysRefresher.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly verifier: AccessTokenVerifier) {}

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

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
