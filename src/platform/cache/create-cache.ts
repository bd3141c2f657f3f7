import type { CacheConfig } from '../../config/index.ts';
import type { Cache } from './cache.ts';
import type { SubscriberErrorHandler } from './cache-options.ts';
import { createMemoryCache, type MemoryCacheStore } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

export interface CreateCacheOptions {
  /** Redis: prefixes keys and channels. */
  keyPrefix?: string;
  /** Memory: the in-process store to share; a new one by default (create one cache per process). */
  memoryStore?: MemoryCacheStore;
  /** Memory: entries kept before the least recently used is evicted. */
  maxEntries?: number;
  onSubscriberError?: SubscriberErrorHandler;
  onConnectionError?: (error: Error) => void;
}

/** The cache of the configured backend. Redis is connected before this resolves (AppError `unavailable` otherwise). */
export async function createCache(config: CacheConfig, options: CreateCacheOptions = {}): Promise<Cache> {
  switch (config.kind) {
    case 'memory':
      return createMemoryCache({
        store: options.memoryStore,
        maxEntries: options.maxEntries,
        onSubscriberError: options.onSubscriberError,
      });
    case 'redis':
      return createRedisCache(config.url, {
        keyPrefix: options.keyPrefix,
        onSubscriberError: options.onSubscriberError,
        onConnectionError: options.onConnectionError,
      });
  }
}
