import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const settings = { initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles the cap with each attempt, up to the maximum', () => {
    const highest = (attempt: number) => backoffDelay(attempt, settings, () => 0.999_999);
    expect([0, 1, 2, 3, 4, 5].map(highest)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('waits a random time between 0 and the cap (full jitter)', () => {
    expect(backoffDelay(2, settings, () => 0)).toBe(0);
    expect(backoffDelay(2, settings, () => 0.5)).toBe(200);
  });

  it('stays bounded for any attempt count', () => {
    for (const attempt of [10, 64, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, settings, () => 0.999_999);
      expect(delay).toBeLessThan(settings.maxDelayMs);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('spreads many clients over the window instead of one instant', () => {
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(0, { initialDelayMs: 1_000, maxDelayMs: 1_000 }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(1_000);
    // Roughly uniform: each tenth of the window gets some of them.
    const tenths = new Set(delays.map((d) => Math.floor(d / 100)));
    expect(tenths.size).toBe(10);
  });
});
