/** Timing comparisons for the no-enumeration tests (login, sign-up): one bound, one summary. */

export interface TimingSummary {
  knownP50: number;
  unknownP50: number;
  knownMidMean: number;
  unknownMidMean: number;
  knownP90: number;
  unknownP90: number;
}

/** Mean of the middle half (interquartile mean): a neighbour's burst lands in the cut quarters. */
function midMean(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
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
    knownMidMean: midMean(k),
    unknownMidMean: midMean(u),
    knownP90: percentile(k, 90),
    unknownP90: percentile(u, 90),
  };
}

export function formatTimings(summary: TimingSummary): string {
  return JSON.stringify(Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, Number((value as number).toFixed(2))])));
}

/** How far apart known and unknown may be: the larger of `ms` and `fraction` of the known figure. */
export interface TimingBound {
  ms: number;
  fraction: number;
}

/**
 * The default bound, for paths that hash a password (about 20 ms): 3 ms or 15%. Tails (p90) are
 * printed, not asserted: on a shared 2-core machine running other suites they measure the
 * neighbours, not the code.
 */
export const HASHING_PATH_BOUND: TimingBound = { ms: 3, fraction: 0.15 };

/** Whether medians and interquartile means are both within the bound. */
export function withinBound(summary: TimingSummary, bound: TimingBound = HASHING_PATH_BOUND): boolean {
  const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(bound.ms, bound.fraction * a);
  return close(summary.knownP50, summary.unknownP50) && close(summary.knownMidMean, summary.unknownMidMean);
}

const SAMPLES = 3;

/**
 * Measures until one sample of `rounds` pairs is within the bound, at most three samples. A real
 * difference (a path that skips the hash, a query only one side makes) shows in every sample; a
 * burst from a neighbouring suite on the shared CI machine rarely lands on three in a row.
 */
export async function expectIndistinguishable(
  label: string,
  rounds: number,
  known: () => Promise<number>,
  unknown: () => Promise<number>,
  bound: TimingBound = HASHING_PATH_BOUND,
): Promise<TimingSummary> {
  const samples: TimingSummary[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const summary = await interleavedTimings(rounds, known, unknown);
    samples.push(summary);
    process.stdout.write(`${label} (ms), sample ${i + 1}: ${formatTimings(summary)}\n`);
    if (withinBound(summary, bound)) return summary;
  }
  throw new Error(`${label}: known and unknown differ beyond the bound in all ${SAMPLES} samples: ${samples.map(formatTimings).join('; ')}`);
}
