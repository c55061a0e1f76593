/** Timing comparisons for the no-enumeration tests (login, sign-up): one bound, one summary. */

export interface TimingSummary {
  knownP50: number;
  unknownP50: number;
  knownTrimmedMean: number;
  unknownTrimmedMean: number;
  knownP90: number;
  unknownP90: number;
}

function trimmedMean(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 10);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((sum, v) => sum + v, 0) / kept.length;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `rounds` strictly interleaved pairs (alternating which goes first, so drift on a shared
 * machine hits both alike) of `known()` and `unknown()`, each resolving to its duration in ms.
 */
export async function interleavedTimings(rounds: number, known: () => Promise<number>, unknown: () => Promise<number>): Promise<TimingSummary> {
  const k: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      k.push(await known());
      u.push(await unknown());
    } else {
      u.push(await unknown());
      k.push(await known());
    }
  }
  return {
    knownP50: percentile(k, 50),
    unknownP50: percentile(u, 50),
    knownTrimmedMean: trimmedMean(k),
    unknownTrimmedMean: trimmedMean(u),
    knownP90: percentile(k, 90),
    unknownP90: percentile(u, 90),
  };
}

export function formatTimings(summary: TimingSummary): string {
  return JSON.stringify(Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, Number((value as number).toFixed(2))])));
}

/**
 * The stated bound: medians and 10%-trimmed means differ by at most 15% of the known figure
 * (or 3 ms, whichever is larger). Tails (p90) are printed, not asserted: on a shared 2-core
 * machine running other suites they measure the neighbours, not the code.
 */
export function expectIndistinguishable(summary: TimingSummary): void {
  expect(Math.abs(summary.unknownP50 - summary.knownP50)).toBeLessThanOrEqual(Math.max(3, 0.15 * summary.knownP50));
  expect(Math.abs(summary.unknownTrimmedMean - summary.knownTrimmedMean)).toBeLessThanOrEqual(Math.max(3, 0.15 * summary.knownTrimmedMean));
}
