import { Stack } from '@signoff/stack';
import { NatsConnection } from 'nats';
import { Cleanup } from './cleanup';
import { BenchConfig } from './config';
import { CpuMeter } from './cpu';
import { BenchAccount, connectAll } from './fleet';
import { log } from './log';
import { perDevice, PerDevice, sampleMemory } from './memory';
import { sleep } from './pool';
import { PropagationResult, revokeEverything, stepUpAll, watchEpochBumps } from './revoke';
import { RevokeTiming, stagesOf, timeline } from './stages';
import { readAuthTraces } from './trace';

export interface PropagationPhase {
  propagation: PropagationResult;
  memory: Array<PerDevice & { name: string }>;
  /** Every account and device, for tmp/bench/timeline.json. */
  timeline: unknown[];
}

/**
 * The real thing: every device connects to its gateway (memory sampled around that), each
 * account's first device steps up, then every account signs out of all devices at once.
 * With `profile`, every service CPU-profiles exactly the revoke window (profile-preload.js).
 */
export async function measurePropagation(options: {
  stack: Stack;
  accounts: BenchAccount[];
  config: BenchConfig;
  nc: NatsConnection;
  namespace: string;
  databaseUrl: string;
  cleanup: Cleanup;
  deadline: number;
}): Promise<PropagationPhase> {
  const { stack, accounts, config, nc } = options;
  const gateways = stack.gateways.map((g) => g.url);
  const pids = Object.fromEntries([
    ...stack.gateways.map((g) => [g.name.replace('playback-', ''), g.process.pid] as const),
    ['auth', stack.auth.pid] as const,
    ['registry', stack.registry.pid] as const,
  ]);
  const gatewayPid = (i: number) => {
    const pid = stack.gateways[i].process.pid;
    if (pid === undefined) throw new Error(`${stack.gateways[i].name} is not running`);
    return pid;
  };

  const before = await Promise.all(stack.gateways.map((g, i) => sampleMemory(gatewayPid(i), g.url, true)));
  const started = Date.now();
  const probes = await connectAll(accounts, config, options.deadline, 'connect to gateways', (d) => ({
    url: `${gateways[d.target].replace(/^http/, 'ws')}/v1/connect`,
    headers: { Authorization: `Bearer ${d.accessToken ?? ''}` },
  }));
  options.cleanup.push('drop gateway sockets', () => probes.forEach((p) => p.terminate()));
  log(`connected ${probes.length} device sockets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await sleep(config.settleMs);
  const after = await Promise.all(stack.gateways.map((g, i) => sampleMemory(gatewayPid(i), g.url, true)));
  const memory = stack.gateways.map((g, i) => ({ name: g.name, ...perDevice(before[i], after[i], probes.filter((p) => p.target === i).length) }));

  const reauth = await stepUpAll(accounts, gateways, config, options.deadline);
  log(`step-up done for ${accounts.length} accounts; revoking all of them at once`);
  await sleep(Math.min(config.settleMs, 1_000));

  const timings: RevokeTiming[] = accounts.map(() => ({}));
  const indexOf = new Map(accounts.map((a) => [a.accountId ?? '', a.index]));
  const bumps = watchEpochBumps(nc, options.namespace, (accountId, at) => {
    const index = indexOf.get(accountId);
    if (index !== undefined) timings[index].eventAt ??= at;
  });
  await nc.flush();
  const cpu = new CpuMeter(pids);
  if (config.profile) signalAll(Object.values(pids), 'SIGWINCH');
  const propagation = await revokeEverything(accounts, gateways, reauth, probes, timings, config);
  propagation.cpu = cpu.stop();
  if (config.profile) signalAll(Object.values(pids), 'SIGWINCH');
  bumps.unsubscribe();
  probes.forEach((p) => p.terminate());

  // Diagnostics only, after the timing: auth-service's own timestamps for each revocation.
  const { traces, error } = await readAuthTraces(options.databaseUrl);
  for (const timing of timings) timing.trace = timing.revocationId ? traces.get(timing.revocationId) : undefined;
  propagation.stages = stagesOf(probes, timings);
  propagation.traceError = error;
  log(`propagation: ${propagation.check.cut}/${probes.length} cut, p99 ${propagation.latency.p99.toFixed(1)} ms`);
  return { propagation, memory, timeline: timeline(probes, timings) };
}

function signalAll(pids: Array<number | undefined>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      if (pid !== undefined) process.kill(pid, signal);
    } catch {
      // already gone: the run reports services that exited
    }
  }
}
