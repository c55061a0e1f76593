import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpuLine } from './cpu';
import { PerDevice } from './memory';
import { CutCheck } from './probe';
import { FloorResult } from './floor-phase';
import { PropagationResult } from './revoke';
import { ms } from './stats';
import { ThroughputResult } from './throughput';

export const TARGET_P99_RATIO = 10;
export const TARGET_THROUGHPUT_RATIO = 0.5;

export interface BenchResults {
  ok: boolean;
  date: string;
  namespace: string;
  logDir: string;
  sizes: { devices: number; accounts: number; devicesPerAccount: number; gateways: number };
  propagation?: PropagationResult;
  floor?: FloorResult;
  ratio?: { p99: number; p50: number; targetP99: number; p99Met: boolean };
  memory?: { gateways: Array<PerDevice & { name: string }>; rssKiBPerDevice: number; heapKiBPerDevice?: number; floorRssKiBPerDevice?: number };
  throughput?: ThroughputResult & { target: number; met: boolean };
  problems: string[];
  durationSeconds: number;
}

function cutLine(check: CutCheck, total: number): string {
  return `${check.cut}/${total} cut, 4001 + directive`;
}

/** The summary block the issue asks for, one figure per line, ratios against their targets. */
export function summary(r: BenchResults): string {
  const lines = [`Signoff benchmark (${r.sizes.devices} devices, ${r.sizes.accounts} accounts, ${r.sizes.gateways} gateways) — ${r.date}`];
  const p = r.propagation;
  if (p) {
    lines.push(`propagation  revoke→close  p50 ${ms(p.latency.p50)}  p99 ${ms(p.latency.p99)}  max ${ms(p.latency.max)}  (${cutLine(p.check, r.sizes.devices)})`);
    const s = p.stages;
    lines.push(
      `  where      call→tx start p50 ${ms(s.callToTxStart.p50)} p99 ${ms(s.callToTxStart.p99)} | auth tx p50 ${ms(s.authTransaction.p50)} p99 ${ms(s.authTransaction.p99)}` +
        ` | relay wait p50 ${ms(s.relayWait.p50)} p99 ${ms(s.relayWait.p99)} (${s.relayBatches} relay batches) | relay→NATS p50 ${ms(s.relayToNats.p50)} p99 ${ms(s.relayToNats.p99)}`,
    );
    lines.push(
      `             revoke→event on NATS p50 ${ms(s.eventPublished.p50)} p99 ${ms(s.eventPublished.p99)} | event→close p50 ${ms(s.eventToClose.p50)} p99 ${ms(s.eventToClose.p99)}` +
        ` | directive→close p50 ${ms(s.directiveToClose.p50)} p99 ${ms(s.directiveToClose.p99)} | revoke→202 p50 ${ms(s.revokeResponse.p50)} p99 ${ms(s.revokeResponse.p99)}` +
        (p.traceError ? ` | auth trace unavailable: ${p.traceError}` : ''),
    );
    if (p.cpu) lines.push(`             ${cpuLine(p.cpu)}`);
  }
  const f = r.floor;
  if (f) {
    lines.push(`floor        publish→close p50 ${ms(f.latency.p50)}  p99 ${ms(f.latency.p99)}  max ${ms(f.latency.max)}  (${cutLine(f.check, r.sizes.devices)})`);
    lines.push(`  where      directive→close p50 ${ms(f.directiveToClose.p50)} p99 ${ms(f.directiveToClose.p99)} | wall ${ms(f.wallMs)}`);
    if (f.cpu) lines.push(`             ${cpuLine(f.cpu)}`);
  }
  if (r.ratio) {
    lines.push(
      `ratio        p99 / floor p99 = ${r.ratio.p99.toFixed(1)}×  (target ≤ ${TARGET_P99_RATIO}×${r.ratio.p99Met ? ', met' : ', MISSED'})   p50 ratio ${r.ratio.p50.toFixed(1)}×`,
    );
  }
  const m = r.memory;
  if (m) {
    const each = m.gateways.map((g) => `${g.name} ${g.rssKiB.toFixed(1)}/${g.heapKiB?.toFixed(1) ?? 'n/a'}`).join(', ');
    lines.push(
      `memory       gateway RSS per device ${m.rssKiBPerDevice.toFixed(1)} KiB, heap per device ${m.heapKiBPerDevice?.toFixed(1) ?? 'n/a'} KiB` +
        `  (${each}; floor RSS ${m.floorRssKiBPerDevice?.toFixed(1) ?? 'n/a'} KiB)`,
    );
  }
  const t = r.throughput;
  if (t) {
    lines.push(
      `throughput   whoami ${Math.round(t.whoami)} req/s  health/live ${Math.round(t.health)} req/s  ratio ${t.ratio.toFixed(2)} ` +
        `(target ≥ ${TARGET_THROUGHPUT_RATIO}${t.met ? ', met' : ', MISSED'})`,
    );
  }
  for (const problem of r.problems) lines.push(`FAILED       ${problem}`);
  return lines.join('\n');
}

export function writeJson(path: string, results: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
}
