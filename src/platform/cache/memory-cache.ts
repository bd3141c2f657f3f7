import { LRUCache } from 'lru-cache';
import type { Cache, CacheMessageHandler, Unsubscribe } from './cache.ts';
import { assertValidTtl, type SubscriberErrorHandler } from './cache-options.ts';

export const defaultMemoryCacheEntries = 50_000;

interface Subscription {
  channel: string;
  handler: CacheMessageHandler;
}

interface Counter {
  value: number;
  /** `performance.now()` deadline; undefined when the counter does not expire. */
  expiresAt: number | undefined;
}

/**
 * The in-process equivalent of one Redis server: entries, counters and channels shared by every cache
 * handle connected to it. Embedded mode creates one per process and hands it to every component.
 */
export class MemoryCacheStore {
  readonly entries: LRUCache<string, string>;
  /**
   * Counters live outside the LRU and are never evicted: an evicted consent epoch that restarted at 1
   * would make decisions cached under an old epoch valid again.
   */
  readonly counters = new Map<string, Counter>();
  readonly channels = new Map<string, Set<Subscription>>();

  constructor(options: { maxEntries?: number } = {}) {
    this.entries = new LRUCache<string, string>({ max: options.maxEntries ?? defaultMemoryCacheEntries });
  }

  liveCounter(key: string): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter?.expiresAt !== undefined && counter.expiresAt <= performance.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }
}

export interface MemoryCacheOptions {
  /** Share entries and channels with other handles, as clients of one Redis would. */
  store?: MemoryCacheStore;
  maxEntries?: number;
  onSubscriberError?: SubscriberErrorHandler;
}

/** A cache handle over an in-process store; `close()` ends only this handle's subscriptions. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const store = options.store ?? new MemoryCacheStore({ maxEntries: options.maxEntries });
  const ownSubscriptions = new Set<Subscription>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('cache is closed');
  };

  const deliver = (channel: string, message: string) => {
    for (const subscription of store.channels.get(channel) ?? []) {
      try {
        subscription.handler(message);
      } catch (error) {
        options.onSubscriberError?.(error, channel);
      }
    }
  };

  const removeSubscription = (subscription: Subscription) => {
    ownSubscriptions.delete(subscription);
    const subscriptions = store.channels.get(subscription.channel);
    subscriptions?.delete(subscription);
    if (subscriptions?.size === 0) store.channels.delete(subscription.channel);
  };

  return {
    kind: 'memory',
    async get(key) {
      assertOpen();
      const counter = store.liveCounter(key);
      return counter ? String(counter.value) : store.entries.get(key);
    },
    async set(key, value, ttlMs) {
      assertOpen();
      if (ttlMs !== undefined) assertValidTtl(ttlMs);
      store.counters.delete(key);
      store.entries.set(key, value, ttlMs === undefined ? {} : { ttl: Math.ceil(ttlMs) });
    },
    async delete(key) {
      assertOpen();
      store.counters.delete(key);
      store.entries.delete(key);
    },
    async incr(key) {
      assertOpen();
      let counter = store.liveCounter(key);
      if (!counter) {
        // A value written with set() becomes a counter, keeping its expiry, as INCR does on Redis.
        const existing = store.entries.get(key);
        const start = existing === undefined ? 0 : parseCounter(key, existing);
        const remainingMs = existing === undefined ? Infinity : store.entries.getRemainingTTL(key);
        store.entries.delete(key);
        counter = {
          value: start,
          expiresAt: Number.isFinite(remainingMs) ? performance.now() + remainingMs : undefined,
        };
        store.counters.set(key, counter);
      }
      counter.value += 1;
      return counter.value;
    },
    async publish(channel, message) {
      assertOpen();
      // Delivered on a later turn, as from Redis: a handler never runs inside the publisher's call.
      setImmediate(() => deliver(channel, message));
    },
    async subscribe(channel, handler) {
      assertOpen();
      const subscription: Subscription = { channel, handler };
      ownSubscriptions.add(subscription);
      let subscriptions = store.channels.get(channel);
      if (!subscriptions) store.channels.set(channel, (subscriptions = new Set()));
      subscriptions.add(subscription);
      const unsubscribe: Unsubscribe = async () => removeSubscription(subscription);
      return unsubscribe;
    },
    async ping() {
      assertOpen();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const subscription of [...ownSubscriptions]) removeSubscription(subscription);
    },
  };
}

function parseCounter(key: string, value: string): number {
  const parsed = Number(value);
  if (!/^-?(0|[1-9]\d*)$/.test(value) || !Number.isSafeInteger(parsed)) {
    throw new Error(`cache value of ${key} is not an integer`);
  }
  return parsed;
}
