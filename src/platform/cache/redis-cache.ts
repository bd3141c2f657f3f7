import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors/index.ts';
import type { Cache, CacheMessageHandler, Unsubscribe } from './cache.ts';
import { assertValidTtl, type SubscriberErrorHandler } from './cache-options.ts';

export interface RedisCacheOptions {
  /** Prefixes keys and channels, so that several deployments can share one Redis. */
  keyPrefix?: string;
  onSubscriberError?: SubscriberErrorHandler;
  /** Reports connection errors while ioredis reconnects (they are otherwise unhandled events). */
  onConnectionError?: (error: Error) => void;
}

interface ChannelSubscriptions {
  subscriptions: Set<{ handler: CacheMessageHandler }>;
  /** The SUBSCRIBE that makes the channel live on the subscriber connection. */
  ready: Promise<unknown>;
}

const connectionOptions: RedisOptions = {
  lazyConnect: true,
  connectTimeout: 5_000,
  // A command waits at most this long: a request fails instead of hanging while Redis is away.
  commandTimeout: 5_000,
  maxRetriesPerRequest: 2,
  // Capped exponential backoff, forever: the process recovers by itself when Redis comes back.
  retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000),
};

/**
 * Redis through ioredis: one connection for commands, a second one (opened on the first subscribe)
 * because a subscribed connection can run nothing else. ioredis resubscribes after a reconnect; messages
 * published while disconnected are lost, as Redis pub/sub promises no more.
 */
export async function createRedisCache(url: string, options: RedisCacheOptions = {}): Promise<Cache> {
  const keyPrefix = options.keyPrefix ?? '';
  const commands = new Redis(url, { ...connectionOptions, keyPrefix, connectionName: 'carebase-cache' });
  commands.on('error', (error: Error) => options.onConnectionError?.(error));
  try {
    await commands.connect();
  } catch (error) {
    commands.disconnect();
    throw new AppError('unavailable', 'The cache is unreachable.', { cause: error });
  }

  let subscriber: Redis | undefined;
  /** Per prefixed channel. */
  const channels = new Map<string, ChannelSubscriptions>();
  let closed = false;

  const openSubscriber = (): Redis => {
    if (subscriber) return subscriber;
    const connection = commands.duplicate({
      connectionName: 'carebase-cache-subscriber',
      lazyConnect: false,
    });
    connection.on('error', (error: Error) => options.onConnectionError?.(error));
    connection.on('message', (channel: string, message: string) => {
      for (const subscription of channels.get(channel)?.subscriptions ?? []) {
        try {
          subscription.handler(message);
        } catch (error) {
          options.onSubscriberError?.(error, channel.slice(keyPrefix.length));
        }
      }
    });
    subscriber = connection;
    return connection;
  };

  const assertOpen = () => {
    if (closed) throw new Error('cache is closed');
  };

  return {
    kind: 'redis',
    async get(key) {
      assertOpen();
      return (await commands.get(key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      assertOpen();
      if (ttlMs === undefined) {
        await commands.set(key, value);
        return;
      }
      assertValidTtl(ttlMs);
      await commands.set(key, value, 'PX', Math.ceil(ttlMs));
    },
    async delete(key) {
      assertOpen();
      await commands.del(key);
    },
    async incr(key) {
      assertOpen();
      return commands.incr(key);
    },
    async publish(channel, message) {
      assertOpen();
      // PUBLISH's channel is not a key: ioredis does not apply keyPrefix to it.
      await commands.publish(keyPrefix + channel, message);
    },
    async subscribe(channel, handler) {
      assertOpen();
      const prefixed = keyPrefix + channel;
      const subscription = { handler };
      let entry = channels.get(prefixed);
      if (!entry) {
        const created: ChannelSubscriptions = { subscriptions: new Set(), ready: Promise.resolve() };
        created.ready = openSubscriber()
          .subscribe(prefixed)
          .catch((error: unknown) => {
            // A later subscribe must try again rather than wait on this failure.
            if (channels.get(prefixed) === created) channels.delete(prefixed);
            throw error;
          });
        channels.set(prefixed, created);
        entry = created;
      }
      entry.subscriptions.add(subscription);
      await entry.ready;
      const unsubscribe: Unsubscribe = async () => {
        const current = channels.get(prefixed);
        if (!current?.subscriptions.delete(subscription) || current.subscriptions.size > 0) return;
        channels.delete(prefixed);
        if (!closed) await subscriber?.unsubscribe(prefixed);
      };
      return unsubscribe;
    },
    async ping() {
      assertOpen();
      await commands.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      channels.clear();
      await Promise.all(
        [commands, subscriber].map((connection) => (connection ? quitConnection(connection) : undefined)),
      );
    },
  };
}

/** QUIT lets pending replies arrive; a connection that is down is simply disconnected. */
async function quitConnection(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
