/**
 * Delay before retry `attempt` (1 = after the first failure): baseMs · 2^(attempt−1), capped at maxMs,
 * with "equal jitter" (a random half on top of a fixed half) so jobs that failed together, e.g. on a
 * shared outage, do not all come back at the same instant, yet never retry sooner than half the delay.
 */
export function retryDelayMs(
  attempt: number,
  backoff: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
