import autocannon from 'autocannon';

export interface ThroughputRun {
  path: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
}

export interface ThroughputResult {
  whoami: number;
  health: number;
  ratio: number;
  connections: number;
  seconds: number;
  runs: ThroughputRun[];
}

export const WHOAMI_PATH = '/v1/auth/whoami';
export const HEALTH_PATH = '/health/live';

/**
 * Authorised `GET /v1/auth/whoami` against unauthenticated `GET /health/live` on one gateway,
 * same connections, duration and pipelining. Run in the order whoami, health, health, whoami
 * (ABBA) and averaged, so a machine that speeds up or slows down during the runs biases
 * neither side. Any error, timeout or non-2xx answer fails: a 401 would make whoami look fast.
 */
export async function measureThroughput(
  gatewayUrl: string,
  token: string,
  options: { connections: number; seconds: number; warmupSeconds: number },
): Promise<ThroughputResult> {
  const run = async (path: string, seconds: number): Promise<ThroughputRun> => {
    const result = await autocannon({
      url: `${gatewayUrl}${path}`,
      connections: options.connections,
      pipelining: 1,
      duration: seconds,
      timeout: 10,
      headers: path === WHOAMI_PATH ? { authorization: `Bearer ${token}` } : {},
    });
    if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result.requests.total === 0) {
      throw new Error(
        `throughput ${path}: ${result.requests.total} answered, ${result.non2xx} non-2xx ${JSON.stringify(result.statusCodeStats)}, ` +
          `${result.errors} errors, ${result.timeouts} timeouts`,
      );
    }
    return {
      path,
      requestsPerSecond: result.requests.total / result.duration,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      requests: result.requests.total,
    };
  };
  if (options.warmupSeconds > 0) {
    // JIT, token cache and connection setup of both routes, not measured.
    await run(WHOAMI_PATH, options.warmupSeconds);
    await run(HEALTH_PATH, options.warmupSeconds);
  }
  const runs: ThroughputRun[] = [];
  for (const path of [WHOAMI_PATH, HEALTH_PATH, HEALTH_PATH, WHOAMI_PATH]) runs.push(await run(path, options.seconds));
  const mean = (path: string) => {
    const of = runs.filter((r) => r.path === path);
    return of.reduce((sum, r) => sum + r.requestsPerSecond, 0) / of.length;
  };
  const whoami = mean(WHOAMI_PATH);
  const health = mean(HEALTH_PATH);
  return { whoami, health, ratio: whoami / health, connections: options.connections, seconds: options.seconds, runs };
}
