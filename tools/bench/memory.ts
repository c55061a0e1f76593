import { readFileSync } from 'node:fs';

/** A process's memory at one moment, bytes. `heapUsed` is absent when the process has no /metrics. */
export interface MemorySample {
  rss: number;
  heapUsed?: number;
}

/** Resident set size from the kernel: no request to the process, no allocation inside it. */
export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** V8 heap in use, as the service reports it on `/metrics` (prom-client default metrics). */
export async function readHeapUsed(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+([0-9.e+]+)/m.exec(text);
  if (!response.ok || !match) throw new Error(`${baseUrl}/metrics: no nodejs_heap_size_used_bytes (HTTP ${response.status})`);
  return Number(match[1]);
}

/**
 * Asks the process for a full collection first (SIGURG, see gc-preload.js; a process without
 * the handler ignores it), so before/after compare live memory, not garbage.
 */
export async function sampleMemory(pid: number, metricsUrl?: string, collect = false): Promise<MemorySample> {
  if (collect) {
    process.kill(pid, 'SIGURG');
    await new Promise((r) => setTimeout(r, 500));
  }
  // Heap first: the scrape itself allocates, and RSS read afterwards includes that, not the reverse.
  const heapUsed = metricsUrl ? await readHeapUsed(metricsUrl) : undefined;
  return { rss: readRss(pid), heapUsed };
}

/** Growth per connected device, KiB (after a forced collection where the process allows one). */
export interface PerDevice {
  devices: number;
  rssKiB: number;
  heapKiB?: number;
  before: MemorySample;
  after: MemorySample;
}

export function perDevice(before: MemorySample, after: MemorySample, devices: number): PerDevice {
  const kib = (a: number, b: number) => (b - a) / 1024 / Math.max(1, devices);
  return {
    devices,
    rssKiB: kib(before.rss, after.rss),
    heapKiB: before.heapUsed !== undefined && after.heapUsed !== undefined ? kib(before.heapUsed, after.heapUsed) : undefined,
    before,
    after,
  };
}
