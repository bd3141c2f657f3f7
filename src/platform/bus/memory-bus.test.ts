import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { BusMessage } from './bus.ts';
import { createMemoryBus } from './memory-bus.ts';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

describe('memory bus', () => {
  it('discards the oldest messages beyond maxMessages', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('LIMITED', ['limited.>'], { maxMessages: 3 });
    for (let i = 0; i < 5; i += 1) await bus.publish('limited.x', { i });
    const received: number[] = [];
    const stop = await bus.consume(
      { stream: 'LIMITED', durable: 'd' },
      async (message) => void received.push(message.json<{ i: number }>().i),
    );
    await waitFor(() => received.length === 3, 'three messages');
    await stop();
    expect(received).toEqual([2, 3, 4]);
    await bus.close();
  });

  it('discards messages older than maxAgeMs', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('AGED', ['aged'], { maxAgeMs: 30 });
    await bus.publish('aged', { old: true });
    await sleep(60);
    await bus.publish('aged', { old: false });
    const received: unknown[] = [];
    const stop = await bus.consume(
      { stream: 'AGED', durable: 'd' },
      async (message) => void received.push(message.json()),
    );
    await waitFor(() => received.length === 1, 'one message');
    await sleep(20);
    await stop();
    expect(received).toEqual([{ old: false }]);
    await bus.close();
  });

  it('forgets a msgId after the duplicate window', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('DEDUP', ['dedup'], { duplicateWindowMs: 30 });
    const first = await bus.publish('dedup', { n: 1 }, { msgId: 'same' });
    expect(await bus.publish('dedup', { n: 1 }, { msgId: 'same' })).toEqual({ ...first, duplicate: true });
    await sleep(50);
    const later = await bus.publish('dedup', { n: 1 }, { msgId: 'same' });
    expect(later.duplicate).toBe(false);
    expect(later.seq).toBe(first.seq + 1);
    await bus.close();
  });

  it('stores a copy of the published bytes and gives each delivery its own', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('BYTES', ['bytes']);
    const payload = new Uint8Array([1, 2, 3]);
    await bus.publish('bytes', payload);
    payload[0] = 9;
    const seen: number[][] = [];
    const stop = await bus.consume(
      { stream: 'BYTES', durable: 'd', retryDelayMs: 1 },
      async (message: BusMessage) => {
        seen.push([...message.data]);
        message.data[1] = 9;
        if (message.deliveryCount === 1) throw new Error('retry once');
      },
    );
    await waitFor(() => seen.length === 2, 'two deliveries');
    await stop();
    expect(seen).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    await bus.close();
  });

  it('shares the work of one durable between two running consumers, each message once', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('SHARED', ['shared']);
    const handledBy: string[] = [];
    const seqs: number[] = [];
    const handler = (name: string) => async (message: BusMessage) => {
      handledBy.push(name);
      seqs.push(message.seq);
      await sleep(2);
    };
    const stopA = await bus.consume({ stream: 'SHARED', durable: 'workers' }, handler('a'));
    const stopB = await bus.consume({ stream: 'SHARED', durable: 'workers' }, handler('b'));
    for (let i = 0; i < 20; i += 1) await bus.publish('shared', { i });
    await waitFor(() => seqs.length === 20, 'twenty messages');
    await stopA();
    await stopB();
    expect(new Set(seqs).size).toBe(20);
    expect(new Set(handledBy)).toEqual(new Set(['a', 'b']));
    await bus.close();
  });

  it('close waits for the handler in flight and acknowledges its message', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('SLOW', ['slow']);
    let finished = false;
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await bus.consume({ stream: 'SLOW', durable: 'd' }, async () => {
      started();
      await sleep(50);
      finished = true;
    });
    await bus.publish('slow', { x: 1 });
    await handlerStarted;
    await bus.close();
    expect(finished).toBe(true);
    await expect(bus.publish('slow', { x: 2 })).rejects.toThrow(/closed/);
  });

  it('deleting a stream ends its consumers and forgets its durables', async () => {
    const bus = createMemoryBus();
    await bus.ensureStream('GONE', ['gone']);
    const stop = await bus.consume({ stream: 'GONE', durable: 'd' }, async () => {});
    await bus.deleteStream('GONE');
    await stop();
    await expect(bus.consumerLag('GONE', 'd')).rejects.toMatchObject({ code: 'not_found' });
    await expect(bus.publish('gone', { x: 1 })).rejects.toThrow(/no stream/);
    await bus.deleteStream('GONE'); // idempotent
    await bus.close();
  });

  it('rejects invalid stream definitions', async () => {
    const bus = createMemoryBus();
    await expect(bus.ensureStream('has.dot', ['x'])).rejects.toThrow(/invalid stream name/);
    await expect(bus.ensureStream('EMPTY', [])).rejects.toThrow(/at least one subject/);
    await bus.close();
  });
});
