import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AuthConfig } from '../config/auth.config';
import { SigningKeyRotation } from './signing-key-rotation.service';

/**
 * Runs the rotation schedule on every replica: at start (a replica that was down when a
 * rotation fell due catches up at once), then every `SIGNING_KEY_CHECK_INTERVAL_SECONDS`. The
 * replicas need no leader: each look takes the key table's advisory lock and acts only on what
 * is still due, so one of them rotates and retires and the others find nothing to do.
 */
@Injectable()
export class SigningKeyRotationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeyRotationScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly rotation: SigningKeyRotation,
    private readonly config: AuthConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.next(0);
  }

  /** Before the shutdown hooks close the database: stop the timer and let a running look finish. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private next(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.look().finally(() => {
        this.running = undefined;
        this.next(this.config.SIGNING_KEY_CHECK_INTERVAL_SECONDS * 1000);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    try {
      await this.rotation.runSchedule();
    } catch (error) {
      // The next look tries again; a late rotation or retirement only lengthens the overlap.
      this.logger.warn(`signing key schedule not run: ${(error as Error).message}`);
    }
  }
}
