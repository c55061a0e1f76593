import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time spent by each process of interest and by the whole machine over one window, read
 * from /proc (no request to the processes). On a 2-core machine it says whether a stage was
 * waiting for something or just waiting for a core, and who had the cores.
 */
export interface CpuWindow {
  wallMs: number;
  /** Core-milliseconds the machine had (cores × wall) and spent busy. */
  machineAvailableMs: number;
  machineBusyMs: number;
  /** Core-milliseconds per named process; `other` = machine busy minus all named (Postgres, NATS, Redis, anything else). */
  byProcess: Record<string, number>;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return NaN;
  }
}

function machineCpuMs(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((sum, v) => sum + v, 0);
  const idle = n[3] + n[4];
  return { busy: ((total - idle) * 1000) / clockTicks(), total: (total * 1000) / clockTicks() };
}

export class CpuMeter {
  private readonly startProcess: Record<string, number> = {};
  private readonly startMachine = machineCpuMs();
  private readonly startWall = Date.now();
  private readonly startSelf = process.cpuUsage();

  /** @param pids processes to account for by name; this process is added as `bench`. */
  constructor(private readonly pids: Record<string, number | undefined>) {
    for (const [name, pid] of Object.entries(pids)) if (pid !== undefined) this.startProcess[name] = processCpuMs(pid);
  }

  stop(): CpuWindow {
    const machine = machineCpuMs();
    const self = process.cpuUsage(this.startSelf);
    const byProcess: Record<string, number> = { bench: (self.user + self.system) / 1000 };
    for (const [name, pid] of Object.entries(this.pids)) {
      if (pid !== undefined) byProcess[name] = processCpuMs(pid) - this.startProcess[name];
    }
    const busy = machine.busy - this.startMachine.busy;
    const named = Object.values(byProcess).reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
    byProcess.other = Math.max(0, busy - named);
    return { wallMs: Date.now() - this.startWall, machineAvailableMs: machine.total - this.startMachine.total, machineBusyMs: busy, byProcess };
  }
}

export function cpuLine(window: CpuWindow): string {
  const parts = Object.entries(window.byProcess).map(([name, v]) => `${name} ${(v / 1000).toFixed(2)}`);
  return `cpu s: ${parts.join(', ')} | machine busy ${(window.machineBusyMs / 1000).toFixed(2)} of ${(window.machineAvailableMs / 1000).toFixed(2)} over ${(window.wallMs / 1000).toFixed(2)} s wall`;
}
