import { Logger } from '@nestjs/common';

/**
 * Runs a background task again and again: the first run after `firstDelayMs`, each next one
 * `intervalMs` after the previous one finished (runs never overlap, however slow). A failed run is
 * logged and the next one retries. Timers are unref'd, so a task never keeps a process alive;
 * `stop()` cancels what is scheduled and waits for a run in progress (call it before the
 * resources the task uses are closed).
 */
export class RepeatingTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: () => number,
    private readonly run: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(firstDelayMs = this.intervalMs()): void {
    this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run()
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn(`${this.name} failed; the next run retries: ${(error as Error).message}`),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule(this.intervalMs());
        });
    }, delayMs);
    this.timer.unref();
  }
}
