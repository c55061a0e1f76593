import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RepeatingTask } from '@signoff/service-kit';
import { AuthConfig } from '../config/auth.config';
import { SigningKeyRotation } from './signing-key-rotation.service';

/**
 * Runs the rotation schedule on every replica: at start (a replica that was down when a
 * rotation fell due catches up at once), then every `SIGNING_KEY_CHECK_INTERVAL_SECONDS`. The
 * replicas need no leader: each look takes the key table's advisory lock and acts only on what
 * is still due, so one of them rotates and retires and the others find nothing to do. A failed
 * look only lengthens the overlap; the next one tries again.
 */
@Injectable()
export class SigningKeyRotationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: RepeatingTask;

  constructor(rotation: SigningKeyRotation, config: AuthConfig) {
    this.task = new RepeatingTask(
      'signing key schedule',
      () => config.SIGNING_KEY_CHECK_INTERVAL_SECONDS * 1000,
      () => rotation.runSchedule(),
      new Logger(SigningKeyRotationScheduler.name),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(0);
  }

  /** Before the shutdown hooks close the database: stop the timer and let a running look finish. */
  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
