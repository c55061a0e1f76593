import { freePort } from '@signoff/testing';
import { NatsConnection } from 'nats';
import { performance } from 'node:perf_hooks';
import { Cleanup } from './cleanup';
import { BenchConfig } from './config';
import { CpuMeter, CpuWindow } from './cpu';
import { BenchAccount, connectAll } from './fleet';
import { FloorServer } from './floor';
import { log } from './log';
import { perDevice, sampleMemory } from './memory';
import { sleep } from './pool';
import { checkCuts, CutCheck, ProbeSocket, waitAllClosed } from './probe';
import { distribution, Distribution } from './stats';

export interface FloorResult {
  check: CutCheck;
  latency: Distribution;
  directiveToClose: Distribution;
  wallMs: number;
  cpu: CpuWindow;
  rssKiBPerDevice: number;
}

/**
 * The floor: two bare servers (floor-server.ts) hold the same devices, split the same way as
 * over the gateways; one core NATS message per account, published back to back (each stamped
 * just before its own publish, as the revoke calls are), cuts them. Same probes, same checks.
 */
export async function measureFloor(options: {
  accounts: BenchAccount[];
  config: BenchConfig;
  nc: NatsConnection;
  natsUrl: string;
  namespace: string;
  workspaceRoot: string;
  logDir: string;
  targets: number;
  cleanup: Cleanup;
  deadline: number;
}): Promise<FloorResult> {
  const { accounts, config, nc } = options;
  const subject = `${options.namespace}.floor.revoke`;
  const floors: FloorServer[] = [];
  options.cleanup.push('stop floor servers', () => Promise.all(floors.map((f) => f.stop())).then(() => undefined));
  let probes: ProbeSocket[] = [];
  try {
    for (let i = 0; i < options.targets; i++) {
      const port = await freePort();
      floors.push(await FloorServer.start({ workspaceRoot: options.workspaceRoot, name: `floor-${i + 1}`, port, subject, natsUrl: options.natsUrl, logDir: options.logDir }));
    }
    log(`floor servers ready on ${floors.map((f) => f.port).join(', ')}`);
    const before = await Promise.all(floors.map((f) => sampleMemory(f.pid)));
    probes = await connectAll(accounts, config, options.deadline, 'connect to floor servers', (d) => ({
      url: `${floors[d.target].url}?account=${encodeURIComponent(accounts[d.accountIndex].accountId ?? '')}&device=${encodeURIComponent(d.id)}`,
      headers: {},
    }));
    await sleep(config.settleMs);
    const after = await Promise.all(floors.map((f) => sampleMemory(f.pid)));
    const rss = floors.map((_, i) => perDevice(before[i], after[i], probes.filter((p) => p.target === i).length).rssKiB);

    const timings: Array<{ startedAt?: number; revocationId?: string }> = accounts.map(() => ({}));
    const cpu = new CpuMeter(Object.fromEntries(floors.map((f, i) => [`floor-${i + 1}`, f.pid])));
    const first = performance.now();
    for (const account of accounts) {
      const timing = timings[account.index];
      timing.revocationId = `floor-${account.index}`;
      timing.startedAt = performance.now();
      nc.publish(subject, JSON.stringify({ accountId: account.accountId, revocationId: timing.revocationId }));
    }
    await Promise.all([nc.flush(), waitAllClosed(probes, config.cutTimeoutMs)]);
    const cpuWindow = cpu.stop();

    const check = checkCuts(probes, (i) => timings[i]);
    const lastClose = Math.max(...probes.map((p) => p.outcome.closeAt ?? -Infinity));
    const directiveToClose = distribution(probes.map((p) => (p.outcome.closeAt ?? NaN) - (p.outcome.directiveAt ?? NaN)).filter(Number.isFinite));
    const latency = distribution(check.latencies);
    log(`floor: ${check.cut}/${probes.length} cut, p99 ${latency.p99.toFixed(1)} ms`);
    return { check, latency, directiveToClose, wallMs: lastClose - first, cpu: cpuWindow, rssKiBPerDevice: rss.reduce((a, b) => a + b, 0) / rss.length };
  } finally {
    probes.forEach((p) => p.terminate());
    await Promise.all(floors.map((f) => f.stop()));
  }
}
