export type { Cache, CacheMessageHandler, Unsubscribe } from './cache.ts';
export type { SubscriberErrorHandler } from './cache-options.ts';
export { createCache, type CreateCacheOptions } from './create-cache.ts';
export {
  createMemoryCache,
  MemoryCacheStore,
  defaultMemoryCacheEntries,
  type MemoryCacheOptions,
} from './memory-cache.ts';
export { createRedisCache, type RedisCacheOptions } from './redis-cache.ts';
