import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusMessage } from '../../src/platform/bus/index.ts';
import { isAppError } from '../../src/platform/errors/index.ts';
import { natsUrl, requireReachable } from '../support/services.ts';

const runId = randomUUID().slice(0, 8);

const backends: { name: 'memory' | 'nats'; open(): Promise<Bus> }[] = [
  { name: 'memory', open: () => createBus({ kind: 'memory' }) },
  {
    name: 'nats',
    async open() {
      await requireReachable('NATS JetStream', natsUrl);
      return createBus({ kind: 'nats', url: natsUrl });
    },
  },
];

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.each(backends)('bus on $name', (backend) => {
  const stream = `CAREBASE_TEST_${backend.name}_${runId}`.toUpperCase();
  const root = `carebase-test.${runId}.${backend.name}`;
  let bus: Bus;

  beforeAll(async () => {
    bus = await backend.open();
    await bus.ensureStream(stream, [`${root}.>`], { duplicateWindowMs: 60_000 });
    await bus.ensureStream(stream, [`${root}.>`], { duplicateWindowMs: 60_000 }); // idempotent
  });

  afterAll(async () => {
    if (!bus) return;
    await bus.deleteStream(stream);
    await bus.close();
  });

  it('reports its kind and answers ping', async () => {
    expect(bus.kind).toBe(backend.name);
    await expect(bus.ping()).resolves.toBeUndefined();
  });

  it('delivers JSON and bytes in order and acknowledges them', async () => {
    const subject = `${root}.basic`;
    const first = await bus.publish(subject, { entry: 1 });
    await bus.publish(subject, new Uint8Array([0, 255, 7]));
    expect(first).toMatchObject({ stream, duplicate: false });
    const received: BusMessage[] = [];
    const stop = await bus.consume(
      { stream, durable: 'basic', subject },
      async (message) => void received.push(message),
    );
    await waitFor(() => received.length === 2, 'two messages');
    await stop();
    expect(received[0]?.json()).toEqual({ entry: 1 });
    expect(received[0]?.seq).toBe(first.seq);
    expect(received[0]?.deliveryCount).toBe(1);
    expect([...(received[1]?.data ?? [])]).toEqual([0, 255, 7]);
    expect(await bus.consumerLag(stream, 'basic')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('a consumer restarted loses nothing and a duplicate publish with the same msgId is delivered once', async () => {
    const subject = `${root}.restart`;
    for (let i = 0; i < 10; i += 1) await bus.publish(subject, { i }, { msgId: `${runId}-r${i}` });
    const original = await bus.publish(subject, { i: 3 }, { msgId: `${runId}-r3` });
    expect(original.duplicate).toBe(true);

    const received: number[] = [];
    let reachedFour!: () => void;
    const fourHandled = new Promise<void>((resolve) => (reachedFour = resolve));
    const handler = async (message: BusMessage) => {
      received.push(message.json<{ i: number }>().i);
      if (received.length === 4) reachedFour();
      await sleep(5);
    };
    const stopFirst = await bus.consume({ stream, durable: 'restart', subject }, handler);
    await fourHandled;
    await stopFirst();
    const handledBeforeRestart = received.length;
    expect(handledBeforeRestart).toBeLessThan(15);

    for (let i = 10; i < 15; i += 1) await bus.publish(subject, { i }, { msgId: `${runId}-r${i}` });
    expect((await bus.publish(subject, { i: 12 }, { msgId: `${runId}-r12` })).duplicate).toBe(true);
    const lag = await bus.consumerLag(stream, 'restart');
    expect(lag.pending + lag.ackPending).toBe(15 - handledBeforeRestart);

    const stopSecond = await bus.consume({ stream, durable: 'restart', subject }, handler);
    await waitFor(() => received.length >= 15, 'all fifteen messages');
    await sleep(100); // a duplicate delivery would arrive now
    await stopSecond();
    expect([...received].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(await bus.consumerLag(stream, 'restart')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('redelivers a message whose handler failed, then acknowledges it', async () => {
    const subject = `${root}.retry`;
    await bus.publish(subject, { job: 'transcode' });
    const deliveries: number[] = [];
    const errors: boolean[] = [];
    const stop = await bus.consume(
      { stream, durable: 'retry', subject, retryDelayMs: 50 },
      async (message) => {
        deliveries.push(message.deliveryCount);
        if (message.deliveryCount < 3) throw new Error('transient');
      },
      { onHandlerError: (_error, _message, { willRetry }) => errors.push(willRetry) },
    );
    await waitFor(() => deliveries.length === 3, 'three deliveries');
    await sleep(150);
    await stop();
    expect(deliveries).toEqual([1, 2, 3]);
    expect(errors).toEqual([true, true]);
    expect(await bus.consumerLag(stream, 'retry')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('gives up on a message after maxDeliver and goes on with the next ones', async () => {
    const subject = `${root}.poison`;
    await bus.publish(subject, { poison: true });
    await bus.publish(subject, { poison: false });
    let poisonAttempts = 0;
    const healthy: unknown[] = [];
    const errors: boolean[] = [];
    const stop = await bus.consume(
      { stream, durable: 'poison', subject, maxDeliver: 3, retryDelayMs: 30 },
      async (message) => {
        const body = message.json<{ poison: boolean }>();
        if (!body.poison) return void healthy.push(body);
        poisonAttempts += 1;
        throw new Error('cannot process');
      },
      { onHandlerError: (_error, _message, { willRetry }) => errors.push(willRetry) },
    );
    await waitFor(() => errors.length === 3 && healthy.length === 1, 'the poison message to be given up');
    await sleep(200);
    await stop();
    expect(poisonAttempts).toBe(3);
    expect(errors).toEqual([true, true, false]);
    expect(await bus.consumerLag(stream, 'poison')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('filters by subject and gives each durable its own copy of the stream', async () => {
    await bus.publish(`${root}.video.view`, { v: 1 });
    await bus.publish(`${root}.audit.entry`, { a: 1 });
    await bus.publish(`${root}.video.quality`, { v: 2 });
    const videoOnly: string[] = [];
    const everything: string[] = [];
    const stopVideo = await bus.consume(
      { stream, durable: 'video', subject: `${root}.video.*` },
      async (message) => void videoOnly.push(message.subject),
    );
    const stopAll = await bus.consume(
      { stream, durable: 'all', subject: `${root}.*.*` },
      async (message) => void everything.push(message.subject),
    );
    await waitFor(() => videoOnly.length === 2 && everything.length === 3, 'both consumers');
    await stopVideo();
    await stopAll();
    expect(videoOnly).toEqual([`${root}.video.view`, `${root}.video.quality`]);
    expect(everything).toEqual([`${root}.video.view`, `${root}.audit.entry`, `${root}.video.quality`]);
  });

  it('reports lag of messages published while the consumer is stopped', async () => {
    const subject = `${root}.lag`;
    const stop = await bus.consume({ stream, durable: 'lag', subject }, async () => {});
    await stop();
    for (let i = 0; i < 3; i += 1) await bus.publish(subject, { i });
    expect(await bus.consumerLag(stream, 'lag')).toEqual({ pending: 3, ackPending: 0 });
  });

  it('refuses unknown consumers, streams and subjects', async () => {
    const lag = await bus.consumerLag(stream, 'nobody').catch((error: unknown) => error);
    expect(isAppError(lag) && lag.code).toBe('not_found');
    const consume = await bus
      .consume({ stream: `NO_SUCH_${runId}`, durable: 'x' }, async () => {})
      .catch((error: unknown) => error);
    expect(isAppError(consume) && consume.code).toBe('not_found');
    await expect(bus.publish(`carebase-unrouted.${runId}`, { x: 1 })).rejects.toThrow(/no stream/);
    await expect(bus.publish(`${root}.*`, { x: 1 })).rejects.toThrow(/invalid subject/);
  });
});

describe('bus on nats: connection', () => {
  it('an unreachable server fails creation with unavailable', async () => {
    const failure = await createBus({ kind: 'nats', url: 'nats://127.0.0.1:1' }).catch(
      (error: unknown) => error,
    );
    expect(isAppError(failure) && failure.code).toBe('unavailable');
  });
});
