import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCache } from './create-cache.ts';
import { createMemoryCache, MemoryCacheStore } from './memory-cache.ts';

describe('memory cache', () => {
  it('stores, reads and deletes values', async () => {
    const cache = await createCache({ kind: 'memory' });
    expect(await cache.get('a')).toBeUndefined();
    await cache.set('a', '1');
    expect(await cache.get('a')).toBe('1');
    await cache.delete('a');
    expect(await cache.get('a')).toBeUndefined();
  });

  it('expires an entry after its TTL', async () => {
    const cache = createMemoryCache();
    await cache.set('short', 'x', 30);
    await cache.set('long', 'y', 10_000);
    expect(await cache.get('short')).toBe('x');
    await sleep(60);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('long')).toBe('y');
  });

  it('rejects a TTL that is not positive', async () => {
    const cache = createMemoryCache();
    await expect(cache.set('a', 'x', 0)).rejects.toThrow(RangeError);
    await expect(cache.set('a', 'x', Number.NaN)).rejects.toThrow(RangeError);
  });

  it('evicts the least recently used entry when full', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    await cache.get('a'); // a is now the most recently used
    await cache.set('d', '4');
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('d')).toBe('4');
  });

  it('increments atomically, starting at 1, and never evicts counters', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.incr('epoch:p1')));
    expect(new Set(values).size).toBe(50);
    expect(Math.max(...values)).toBe(50);
    for (let i = 0; i < 10; i += 1) await cache.set(`filler:${i}`, 'x');
    expect(await cache.get('epoch:p1')).toBe('50');
    expect(await cache.incr('epoch:p1')).toBe(51);
  });

  it('increments a value written with set and keeps its expiry', async () => {
    const cache = createMemoryCache();
    await cache.set('n', '41', 40);
    expect(await cache.incr('n')).toBe(42);
    await sleep(80);
    expect(await cache.get('n')).toBeUndefined();
    expect(await cache.incr('n')).toBe(1);
  });

  it('refuses to increment a value that is not an integer', async () => {
    const cache = createMemoryCache();
    await cache.set('text', 'abc');
    await cache.set('float', '1.5');
    await expect(cache.incr('text')).rejects.toThrow(/not an integer/);
    await expect(cache.incr('float')).rejects.toThrow(/not an integer/);
    expect(await cache.get('text')).toBe('abc');
  });

  it('set replaces a counter', async () => {
    const cache = createMemoryCache();
    await cache.incr('c');
    await cache.set('c', 'plain');
    expect(await cache.get('c')).toBe('plain');
    await cache.delete('c');
    expect(await cache.get('c')).toBeUndefined();
  });

  it('delivers published messages to every handle on the same store, never synchronously', async () => {
    const store = new MemoryCacheStore();
    const publisher = createMemoryCache({ store });
    const subscriber = createMemoryCache({ store });
    const received: string[] = [];
    await subscriber.subscribe('invalidate', (message) => received.push(message));
    await publisher.publish('invalidate', 'patient-1');
    expect(received).toEqual([]);
    await sleep(5);
    expect(received).toEqual(['patient-1']);
    expect(await subscriber.incr('shared')).toBe(1);
    expect(await publisher.incr('shared')).toBe(2);
  });

  it('keeps delivering to other handlers when one throws, and reports the error', async () => {
    const errors: string[] = [];
    const cache = createMemoryCache({
      onSubscriberError: (error, channel) => errors.push(`${channel}: ${(error as Error).message}`),
    });
    const received: string[] = [];
    await cache.subscribe('c', () => {
      throw new Error('boom');
    });
    await cache.subscribe('c', (message) => received.push(message));
    await cache.publish('c', 'm');
    await sleep(5);
    expect(received).toEqual(['m']);
    expect(errors).toEqual(['c: boom']);
  });

  it('unsubscribe stops one subscription; the same handler subscribed twice is delivered twice', async () => {
    const cache = createMemoryCache();
    const received: string[] = [];
    const handler = (message: string) => received.push(message);
    const first = await cache.subscribe('c', handler);
    await cache.subscribe('c', handler);
    await cache.publish('c', 'one');
    await sleep(5);
    await first();
    await cache.publish('c', 'two');
    await sleep(5);
    expect(received).toEqual(['one', 'one', 'two']);
  });

  it('close ends only its own subscriptions and refuses further use', async () => {
    const store = new MemoryCacheStore();
    const closing = createMemoryCache({ store });
    const staying = createMemoryCache({ store });
    const received: string[] = [];
    await closing.subscribe('c', (message) => received.push(`closing:${message}`));
    await staying.subscribe('c', (message) => received.push(`staying:${message}`));
    await closing.close();
    await closing.close();
    await staying.publish('c', 'x');
    await sleep(5);
    expect(received).toEqual(['staying:x']);
    await expect(closing.get('a')).rejects.toThrow(/closed/);
    await expect(closing.ping()).rejects.toThrow(/closed/);
  });
});
