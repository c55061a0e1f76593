/** A named readiness condition (a dependency, a view caught up) checked by `/health/ready`. */
export interface ReadinessCheck {
  name: string;
  check(): boolean | Promise<boolean>;
}

/** Collects the checks of one process; providers register theirs at start. */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          return [c.name, await withTimeout(Promise.resolve(c.check()), 1_000)] as const;
        } catch {
          return [c.name, false] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    return { ready: results.every(([, ok]) => ok), checks };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('readiness check timed out')), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
