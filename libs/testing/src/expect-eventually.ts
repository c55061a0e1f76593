/**
 * Retries an assertion until it passes or the deadline is reached, then rethrows the last
 * failure. Asynchronous outcomes are polled, never slept for.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const interval = options.intervalMs ?? 20;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((r) => setTimeout(r, interval));
    }
  }
}
