/** Told about a subscriber handler that threw; the other handlers still receive the message. */
export type SubscriberErrorHandler = (error: unknown, channel: string) => void;

export function assertValidTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new RangeError(`cache TTL must be a positive number of ms, got ${ttlMs}`);
}
