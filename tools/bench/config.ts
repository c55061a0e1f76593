/**
 * Benchmark sizes and timings, from the environment. Defaults meet the issue (2,000 devices,
 * 5 per account → 400 accounts, two gateways) and keep `npm run bench` near 3–4 minutes on a
 * 2-core machine. Every value is bounded so a typo cannot start an unbounded run.
 */
export interface BenchConfig {
  devices: number;
  devicesPerAccount: number;
  accounts: number;
  /** Logins and sign-ups in flight: each costs an argon2 hash (~15–30 ms) in auth-service. */
  loginConcurrency: number;
  /** WebSocket upgrades in flight (token verification only, cheap). */
  connectConcurrency: number;
  /** Pause after connecting, so presence writes and sign-in events have drained before timing. */
  settleMs: number;
  /** How long every device may take to be cut before it counts as lost. */
  cutTimeoutMs: number;
  throughputSeconds: number;
  throughputWarmupSeconds: number;
  throughputConnections: number;
  /** Whole-run watchdog: past it the run cleans up and exits non-zero. */
  runTimeoutMs: number;
  /** Services' log level (logs go to tmp/bench-logs/<namespace>); `warn` keeps logging off the hot path. */
  logLevel: string;
  /** Diagnostic: CPU-profile every service over the propagation window (tools/bench/profile-preload.js). */
  profile: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const devices = int(env, 'BENCH_DEVICES', 2000, 2, 20_000);
  const devicesPerAccount = int(env, 'BENCH_DEVICES_PER_ACCOUNT', 5, 1, 50);
  return {
    devices,
    devicesPerAccount,
    accounts: Math.ceil(devices / devicesPerAccount),
    loginConcurrency: int(env, 'BENCH_LOGIN_CONCURRENCY', 12, 1, 64),
    connectConcurrency: int(env, 'BENCH_CONNECT_CONCURRENCY', 50, 1, 500),
    settleMs: int(env, 'BENCH_SETTLE_MS', 2_000, 0, 30_000),
    cutTimeoutMs: int(env, 'BENCH_CUT_TIMEOUT_MS', 30_000, 1_000, 120_000),
    throughputSeconds: int(env, 'BENCH_THROUGHPUT_SECONDS', 8, 1, 60),
    throughputWarmupSeconds: int(env, 'BENCH_THROUGHPUT_WARMUP_SECONDS', 2, 0, 30),
    throughputConnections: int(env, 'BENCH_THROUGHPUT_CONNECTIONS', 50, 1, 1_000),
    runTimeoutMs: int(env, 'BENCH_TIMEOUT_SECONDS', 600, 60, 3_600) * 1000,
    logLevel: oneOf(env, 'BENCH_LOG_LEVEL', 'warn', LOG_LEVELS),
    profile: oneOf(env, 'BENCH_PROFILE', '0', ['0', '1']) === '1',
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${raw}: expected an integer between ${min} and ${max}`);
  }
  return value;
}

function oneOf(env: NodeJS.ProcessEnv, name: string, fallback: string, allowed: readonly string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw)) throw new Error(`${name}=${raw}: expected one of ${allowed.join(', ')}`);
  return raw;
}
