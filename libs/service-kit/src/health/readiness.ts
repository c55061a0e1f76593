/** A named readiness condition (a dependency, a view caught up) checked by `/health/ready`. */
export interface ReadinessCheck {
  name: string;
  check(): boolean | Promise<boolean>;
  /**
   * `false` for a dependency the service works without, in a lesser way (the gateway without
   * Redis: no stream limits, no live status). Reported, but it does not make the service
   * unready: a load balancer would otherwise take every replica out at once for it.
   */
  required?: boolean;
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
          return [c, await withTimeout(Promise.resolve(c.check()), 1_000)] as const;
        } catch {
          return [c, false] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results.map(([c, ok]) => [c.name, ok]));
    return { ready: results.every(([c, ok]) => ok || c.required === false), checks };
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
