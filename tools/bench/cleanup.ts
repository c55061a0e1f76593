/**
 * Undo steps, run last-in first-out, once, each bounded in time. A failed step is reported and
 * the others still run, so one stuck process cannot leave a database or streams behind.
 */
export class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private running?: Promise<string[]>;

  push(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** @returns one message per failed step. */
  run(stepTimeoutMs = 30_000): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      for (const step of [...this.steps].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(step.run),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${stepTimeoutMs / 1000} s`)), stepTimeoutMs))),
          ]);
        } catch (error) {
          failures.push(`cleanup "${step.name}": ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          clearTimeout(timer);
        }
      }
      return failures;
    })();
    return this.running;
  }
}
