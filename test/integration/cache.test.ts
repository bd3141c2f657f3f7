import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, MemoryCacheStore, type Cache } from '../../src/platform/cache/index.ts';
import { isAppError } from '../../src/platform/errors/index.ts';
import { redisUrl, requireReachable } from '../support/services.ts';

const runPrefix = `carebase-test:${randomUUID()}:`;

interface CacheBackend {
  name: 'memory' | 'redis';
  /** Two clients of one shared cache, as two processes of a deployment would have. */
  openPair(): Promise<[Cache, Cache]>;
}

const backends: CacheBackend[] = [
  {
    name: 'memory',
    async openPair() {
      const memoryStore = new MemoryCacheStore();
      return [
        await createCache({ kind: 'memory' }, { memoryStore }),
        await createCache({ kind: 'memory' }, { memoryStore }),
      ];
    },
  },
  {
    name: 'redis',
    async openPair() {
      await requireReachable('Redis', redisUrl);
      const config = { kind: 'redis', url: redisUrl } as const;
      return [
        await createCache(config, { keyPrefix: runPrefix }),
        await createCache(config, { keyPrefix: runPrefix }),
      ];
    },
  },
];

/** Waits until `condition` holds, for messages that arrive asynchronously. */
async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe.each(backends)('cache on $name', (backend) => {
  let first: Cache;
  let second: Cache;

  beforeAll(async () => {
    [first, second] = await backend.openPair();
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it(`reports its kind and answers ping`, async () => {
    expect(first.kind).toBe(backend.name);
    await expect(first.ping()).resolves.toBeUndefined();
  });

  it('shares values between clients and deletes them', async () => {
    await first.set('shared', 'value');
    expect(await second.get('shared')).toBe('value');
    await second.delete('shared');
    expect(await first.get('shared')).toBeUndefined();
  });

  it('expires a value after its TTL', async () => {
    await first.set('ttl', 'x', 50);
    expect(await second.get('ttl')).toBe('x');
    await sleep(120);
    expect(await second.get('ttl')).toBeUndefined();
  });

  it('incr is atomic across clients and seen by the other one', async () => {
    const key = `epoch:${randomUUID()}`;
    expect(await first.incr(key)).toBe(1);
    expect(await second.get(key)).toBe('1');
    const values = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? first : second).incr(key)),
    );
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(await first.get(key)).toBe('41');
  });

  it('incr of a value that is not an integer fails and leaves it unchanged', async () => {
    await first.set('not-a-number', 'abc');
    await expect(second.incr('not-a-number')).rejects.toThrow(/integer/);
    expect(await first.get('not-a-number')).toBe('abc');
  });

  it('a message published by one client reaches the subscribers of the other', async () => {
    const received: string[] = [];
    const unsubscribe = await second.subscribe('invalidate', (message) => received.push(`second:${message}`));
    const unsubscribeFirst = await first.subscribe('invalidate', (message) =>
      received.push(`first:${message}`),
    );
    await first.publish('invalidate', 'patient/1');
    await eventually(() => received.length === 2);
    expect(received.sort()).toEqual(['first:patient/1', 'second:patient/1']);

    await unsubscribe();
    await first.publish('invalidate', 'patient/2');
    await eventually(() => received.includes('first:patient/2'));
    await sleep(50);
    expect(received).not.toContain('second:patient/2');
    await unsubscribeFirst();
  });

  it('refuses to be used after close', async () => {
    const [a, b] = await backend.openPair();
    await a.close();
    await a.close();
    await b.close();
    await expect(a.get('x')).rejects.toThrow(/closed/);
  });
});

describe('cache on redis: prefixes and failures', () => {
  let admin: Redis;

  beforeAll(async () => {
    await requireReachable('Redis', redisUrl);
    admin = new Redis(redisUrl);
  });

  afterAll(async () => {
    const keys = await admin.keys(`${runPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it('stores keys under the prefix and keeps other prefixes apart, for values and channels', async () => {
    const config = { kind: 'redis', url: redisUrl } as const;
    const mine = await createCache(config, { keyPrefix: runPrefix });
    const other = await createCache(config, { keyPrefix: `${runPrefix}other:` });
    try {
      await mine.set('k', 'v');
      expect(await admin.get(`${runPrefix}k`)).toBe('v');
      expect(await other.get('k')).toBeUndefined();

      const received: string[] = [];
      await other.subscribe('c', (message) => received.push(`other:${message}`));
      await mine.subscribe('c', (message) => received.push(`mine:${message}`));
      await mine.publish('c', 'hello');
      await eventually(() => received.includes('mine:hello'));
      await sleep(50);
      expect(received).toEqual(['mine:hello']);
    } finally {
      await mine.close();
      await other.close();
    }
  });

  it('an unreachable Redis fails creation with unavailable', async () => {
    const failure = await createCache({ kind: 'redis', url: 'redis://127.0.0.1:1' }).catch(
      (error: unknown) => error,
    );
    expect(isAppError(failure) && failure.code).toBe('unavailable');
  });
});
