/**
 * `npm run bench`: how fast "sign out of all devices" really reaches devices, against the
 * floor of this machine, plus the gateway's memory per device and its authorised-request
 * throughput. The machine is small and shared, so every figure that is judged is a ratio of
 * two things measured in this same run. See tools/bench/README.md.
 */
import { Stack } from '@signoff/stack';
import { cleanupNamespace, createEmptyDatabase, freePort, testServers, uniqueNamespace } from '@signoff/testing';
import { connect } from 'nats';
import { join, resolve } from 'node:path';
import { Cleanup } from './cleanup';
import { BenchConfig, loadBenchConfig } from './config';
import { planFleet, signIn, signInAll, signUpAll } from './fleet';
import { measureFloor } from './floor-phase';
import { callJson } from './http';
import { elapsedSeconds, log } from './log';
import { sleep } from './pool';
import { failureCount, CutCheck } from './probe';
import { measurePropagation } from './propagation';
import { BenchResults, summary, TARGET_P99_RATIO, TARGET_THROUGHPUT_RATIO, writeJson } from './report';
import { measureThroughput, WHOAMI_PATH } from './throughput';

const WORKSPACE_ROOT = resolve(__dirname, '../..');
const RESULTS_PATH = join(WORKSPACE_ROOT, 'tmp', 'bench', 'results.json');
const TIMELINE_PATH = join(WORKSPACE_ROOT, 'tmp', 'bench', 'timeline.json');
const GATEWAYS = 2;

async function run(config: BenchConfig, cleanup: Cleanup, results: BenchResults): Promise<void> {
  const deadline = Date.now() + config.runTimeoutMs;
  // The servers running on this machine, never containers: the benchmark measures this machine.
  process.env.SIGNOFF_TEST_CONTAINERS ??= 'off';
  const servers = await testServers();
  assertLoopback({ postgres: servers.adminDatabaseUrl, redis: servers.redisUrl, nats: servers.natsUrl });
  const { namespace, logDir } = results;
  const redisPrefix = `${namespace}:`;

  // Stack: its own database, NATS namespace and Redis prefix; all removed at the end.
  cleanup.push('delete streams and keys', () => cleanupNamespace({ natsUrl: servers.natsUrl, namespace, redisUrl: servers.redisUrl, redisPrefix }));
  const database = await createEmptyDatabase(servers.adminDatabaseUrl);
  cleanup.push('drop database', () => database.drop());
  const ports = await Promise.all(Array.from({ length: GATEWAYS + 2 }, () => freePort()));
  const stack = new Stack({
    workspaceRoot: WORKSPACE_ROOT,
    databaseUrl: database.url,
    natsUrl: servers.natsUrl,
    redisUrl: servers.redisUrl,
    namespace,
    redisPrefix,
    authPort: ports[0],
    registryPort: ports[1],
    gatewayPorts: ports.slice(2),
    logLevel: config.logLevel,
    output: { logDir },
    env: {
      // The bench signs up hundreds of accounts from one address: lift the sign-up throttle
      // (sign-ins and step-ups succeed, and successes are never counted).
      THROTTLE_SIGN_UP_PER_ADDRESS: '1000000',
      NODE_OPTIONS: [
        process.env.NODE_OPTIONS ?? '',
        `--require ${join(WORKSPACE_ROOT, 'tools/bench/gc-preload.js')}`,
        config.profile ? `--require ${join(WORKSPACE_ROOT, 'tools/bench/profile-preload.js')}` : '',
      ]
        .join(' ')
        .trim(),
      ...(config.profile ? { BENCH_PROFILE_DIR: logDir } : {}),
    },
  });
  cleanup.push('stop stack', () => stack.stop());
  log(`starting the stack (namespace ${namespace}, logs in ${logDir})`);
  await stack.start();
  const gateways = stack.gateways.map((g) => g.url);
  log(`stack ready: gateways ${gateways.join(', ')}`);
  const nc = await connect({ servers: servers.natsUrl, name: `bench-${namespace}` });
  cleanup.push('close NATS', () => nc.close());

  // Population: accounts, then every device signed in on its gateway (an argon2 hash each).
  const accounts = planFleet(config, namespace, GATEWAYS);
  let t = Date.now();
  await signUpAll(accounts, gateways, config, deadline);
  log(`signed up ${accounts.length} accounts in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  await signInAll(accounts, gateways, config, deadline);
  log(`signed in ${config.devices} devices in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const phase = await measurePropagation({ stack, accounts, config, nc, namespace, databaseUrl: database.url, cleanup, deadline });
  const { propagation } = phase;
  results.propagation = propagation;
  writeJson(TIMELINE_PATH, phase.timeline);
  if (propagation.revokeErrors > 0) results.problems.push(`${propagation.revokeErrors}/${accounts.length} revoke-all calls failed`);
  reportCutFailures('propagation', propagation.check, results);
  if (config.profile) log(`CPU profiles of the revoke window: ${logDir}/*.cpuprofile (summarise one with tools/bench/profile-summary.ts)`);

  const floor = await measureFloor({ accounts, config, nc, natsUrl: servers.natsUrl, namespace, workspaceRoot: WORKSPACE_ROOT, logDir, targets: GATEWAYS, cleanup, deadline });
  results.floor = floor;
  reportCutFailures('floor', floor.check, results);
  results.memory = {
    gateways: phase.memory,
    rssKiBPerDevice: mean(phase.memory.map((g) => g.rssKiB)),
    heapKiBPerDevice: phase.memory.every((g) => g.heapKiB !== undefined) ? mean(phase.memory.map((g) => g.heapKiB ?? 0)) : undefined,
    floorRssKiBPerDevice: floor.rssKiBPerDevice,
  };
  const p99 = propagation.latency.p99 / floor.latency.p99;
  results.ratio = { p99, p50: propagation.latency.p50 / floor.latency.p50, targetP99: TARGET_P99_RATIO, p99Met: p99 <= TARGET_P99_RATIO };

  // Throughput on one gateway, with a device of a fresh account (every earlier one is signed out).
  await sleep(config.settleMs);
  const [holder] = planFleet({ ...config, devices: 1, devicesPerAccount: 1 }, `${namespace}-tp`, 1);
  await signUpAll([holder], gateways, config, deadline);
  const { accessToken } = await signIn(gateways[0], holder, 'bench-throughput');
  await callJson(gateways[0], 'GET', WHOAMI_PATH, { token: accessToken, expect: 200, retries: 0 });
  log(`throughput: ${config.throughputConnections} connections, ${config.throughputSeconds} s per run, whoami/health/health/whoami on ${gateways[0]}`);
  const throughput = await measureThroughput(gateways[0], accessToken, {
    connections: config.throughputConnections,
    seconds: config.throughputSeconds,
    warmupSeconds: config.throughputWarmupSeconds,
  });
  results.throughput = { ...throughput, target: TARGET_THROUGHPUT_RATIO, met: throughput.ratio >= TARGET_THROUGHPUT_RATIO };

  for (const service of [...stack.gateways.map((g) => g.process), stack.auth, stack.registry]) {
    if (!service.running) results.problems.push(`${service.options.name} exited during the run (code ${service.exitCode})`);
  }
}

function assertLoopback(urls: Record<string, string>): void {
  for (const [name, url] of Object.entries(urls)) {
    const host = new URL(url).hostname;
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`${name} (${url}) is not a loopback address; the benchmark only runs locally`);
  }
}

function reportCutFailures(phase: string, check: CutCheck, results: BenchResults): void {
  const failed = failureCount(check);
  if (failed === 0) return;
  const f = check.failures;
  results.problems.push(
    `${phase}: ${failed} devices not cut properly (not closed ${f.notClosed}, wrong close code ${f.wrongCode}, no directive ${f.noDirective}, ` +
      `wrong revocationId ${f.wrongRevocation}); e.g. ${check.examples.join('; ')}`,
  );
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

async function main(): Promise<number> {
  let config: BenchConfig;
  try {
    config = loadBenchConfig();
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const namespace = uniqueNamespace();
  const results: BenchResults = {
    ok: false,
    date: new Date().toISOString(),
    namespace,
    logDir: join(WORKSPACE_ROOT, 'tmp', 'bench-logs', namespace),
    sizes: { devices: config.devices, accounts: config.accounts, devicesPerAccount: config.devicesPerAccount, gateways: GATEWAYS },
    problems: [],
    durationSeconds: 0,
  };
  const cleanup = new Cleanup();
  // Interrupted or overdue: clean up anyway, then leave with a non-zero code.
  const abort = async (why: string, code: number): Promise<void> => {
    process.stderr.write(`\nbench: ${why}; cleaning up\n`);
    for (const failure of await cleanup.run()) process.stderr.write(`bench: ${failure}\n`);
    process.exit(code);
  };
  process.once('SIGINT', () => void abort('interrupted', 130));
  process.once('SIGTERM', () => void abort('terminated', 143));
  const watchdog = setTimeout(() => void abort(`still running after ${config.runTimeoutMs / 1000} s (BENCH_TIMEOUT_SECONDS)`, 1), config.runTimeoutMs);
  watchdog.unref();

  try {
    await run(config, cleanup, results);
  } catch (error) {
    results.problems.push(`run aborted: ${error instanceof Error ? error.message : String(error)}`);
  }
  log('cleaning up');
  results.problems.push(...(await cleanup.run()));
  clearTimeout(watchdog);
  results.ok = results.problems.length === 0;
  results.durationSeconds = Math.round(elapsedSeconds() * 10) / 10;
  writeJson(RESULTS_PATH, results);
  process.stdout.write(`\n${summary(results)}\n\nresults: ${RESULTS_PATH} (per-device timeline: ${TIMELINE_PATH})\n`);
  if (!results.ok) process.stderr.write(`\nbench FAILED (${results.problems.length} problem(s); service logs in ${results.logDir})\n`);
  return results.ok ? 0 : 1;
}

void main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
