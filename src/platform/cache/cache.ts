/** Receives one message published on a channel the handler subscribed to. */
export type CacheMessageHandler = (message: string) => void;

/** Stops one subscription; the cache itself stays open. */
export type Unsubscribe = () => Promise<void>;

/**
 * A shared key-value cache with pub/sub, as Redis offers it: in process in embedded mode, Redis in
 * production. Values are strings; callers serialise. Every instance of the process (or of the cluster,
 * on Redis) sees the same keys and channels.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  /** `ttlMs` omitted: the entry has no expiry (memory entries may still be evicted when the cache is full). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Atomically adds one and returns the new value (1 for a missing key); strongly consistent across
   * processes on Redis. Used for per-patient consent epochs.
   */
  incr(key: string): Promise<number>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active, so a message published afterwards is received. */
  subscribe(channel: string, handler: CacheMessageHandler): Promise<Unsubscribe>;
  ping(): Promise<void>;
  /** Ends subscriptions and connections. Idempotent. */
  close(): Promise<void>;
}
