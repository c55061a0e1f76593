/**
 * Runs `work` for every item with at most `concurrency` in flight, and gives up (rejecting)
 * once `deadline` (epoch ms) has passed: every loop of the benchmark is bounded in count and time.
 * The first failure stops handing out new items and is rethrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  deadline: number,
  what: string,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      if (Date.now() > deadline) {
        failure ??= new Error(`${what}: only ${next}/${items.length} started before the deadline`);
        return;
      }
      const index = next++;
      try {
        await work(items[index], index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  if (failure !== undefined) throw failure;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
