import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.ts';

describe('retryDelayMs', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles per attempt between half and all of the ceiling', () => {
    expect(retryDelayMs(1, backoff, () => 0)).toBe(500);
    expect(retryDelayMs(1, backoff, () => 1)).toBe(1_000);
    expect(retryDelayMs(2, backoff, () => 0)).toBe(1_000);
    expect(retryDelayMs(3, backoff, () => 1)).toBe(4_000);
  });

  it('is capped at maxMs, even for huge attempt numbers', () => {
    expect(retryDelayMs(7, backoff, () => 1)).toBe(60_000);
    expect(retryDelayMs(10_000, backoff, () => 1)).toBe(60_000);
  });

  it('spreads retries of jobs that failed together (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, backoff)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(4_000);
  });
});
