import type { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  grantAppRoleTo,
  migrateToLatest,
  openDatabase,
  openPGlite,
  type Database,
} from '../../src/platform/db/index.ts';
import { isAppError } from '../../src/platform/errors/index.ts';
import {
  createJobQueue,
  createJobWorker,
  jobsMigrations,
  UnrecoverableJobError,
  type JobHandler,
  type JobQueue,
  type JobRecord,
  type JobWorker,
  type JobWorkerOptions,
} from '../../src/platform/jobs/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { createTestPostgres, type TestPostgres } from '../support/postgres.ts';

/** One backend under test: `open()` gives an independent handle (its own pool on PostgreSQL). */
interface Backend {
  open(): Promise<Database>;
  close(): Promise<void>;
}

async function pgliteBackend(): Promise<Backend> {
  const pglite: PGlite = await openPGlite('memory://');
  const open = () => openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { pglite });
  await migrateToLatest((await open()).db as Kysely<unknown>, jobsMigrations);
  return { open, close: () => pglite.close() };
}

async function postgresBackend(): Promise<Backend> {
  const server: TestPostgres = await createTestPostgres('jobs');
  const config = (url: string) => ({ kind: 'postgres' as const, url, ownerUrl: undefined, poolSize: 4 });
  const owner = await openDatabase(config(server.ownerUrl));
  try {
    await migrateToLatest(owner.db as Kysely<unknown>, jobsMigrations);
    await grantAppRoleTo(owner.db as Kysely<unknown>, server.appRole);
  } finally {
    await owner.close();
  }
  const opened: Database[] = [];
  return {
    async open() {
      const database = await openDatabase(config(server.appUrl));
      opened.push(database);
      return database;
    },
    async close() {
      for (const database of opened) await database.close();
      await server.drop();
    },
  };
}

const backends = [
  ['PGlite', pgliteBackend],
  ['PostgreSQL', postgresBackend],
] as const;

const logLines: string[] = [];
const logger = createLogger(
  { log: { level: 'info', pretty: false } },
  { write: (line: string) => logLines.push(line) },
);

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends)('durable job queue on %s', (backendName, makeBackend) => {
  let backend: Backend;
  let database: Database;
  let queue: JobQueue;
  const workers: JobWorker[] = [];
  let queueCounter = 0;
  const newQueueName = (what: string) => `${backendName}.${what}.${++queueCounter}`;

  const startWorker = (
    handlers: Record<string, JobHandler>,
    options: Partial<JobWorkerOptions> = {},
    on: Database = database,
  ) => {
    const worker = createJobWorker(on, handlers, {
      concurrency: 2,
      pollIntervalMs: 50,
      logger,
      backoff: { baseMs: 100, maxMs: 1_000 },
      progressIntervalMs: 100,
      ...options,
    });
    workers.push(worker);
    worker.start();
    return worker;
  };

  const jobInState = (id: string, state: JobRecord['state']) =>
    waitFor(`job ${id} to be ${state}`, async () => {
      const job = await queue.get(id);
      return job?.state === state ? job : undefined;
    });

  beforeAll(async () => {
    backend = await makeBackend();
    database = await backend.open();
    queue = createJobQueue(database);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
  });

  afterAll(async () => {
    await backend?.close();
  });

  it(`runs an enqueued job to success with its progress visible while it runs (${backendName})`, async () => {
    const name = newQueueName('progress');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A long poll interval: only the in-process wake-up on enqueue can start the job quickly.
    startWorker(
      {
        [name]: async (job) => {
          await job.reportProgress(0.25, 'encoding 360p');
          await gate;
          for (let frame = 0; frame < 200; frame++)
            await job.reportProgress(0.25 + frame / 400, 'encoding 720p');
        },
      },
      { pollIntervalMs: 60_000 },
    );
    await sleep(100);
    const enqueuedAt = Date.now();
    const id = await queue.enqueue(name, { videoId: 'v1' });

    const running = await waitFor('progress', async () => {
      const job = await queue.get(id);
      return job?.progress ? job : undefined;
    });
    expect(Date.now() - enqueuedAt).toBeLessThan(2_000);
    expect(running).toMatchObject({
      state: 'running',
      attempts: 1,
      payload: { videoId: 'v1' },
      progress: { fraction: 0.25, message: 'encoding 360p' },
    });
    expect(running.workerId).toBeTruthy();
    expect(running.lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    release();
    const done = await jobInState(id, 'succeeded');
    expect(done.progress?.fraction).toBe(1);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(done.lastError).toBeUndefined();
    expect(await queue.depth()).toContainEqual({ queue: name, state: 'succeeded', count: 1 });
  });

  it(`retries a failing job with growing backoff, then keeps it as a dead letter that retry() revives (${backendName})`, async () => {
    const name = newQueueName('retries');
    const attemptTimes: number[] = [];
    let healed = false;
    startWorker({
      [name]: async () => {
        attemptTimes.push(Date.now());
        if (!healed) throw new Error('transcoder exploded on segment 3');
      },
    });
    const id = await queue.enqueue(name, { note: 'PHI-do-not-log' }, { maxAttempts: 3 });

    const dead = await jobInState(id, 'dead');
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toBe('transcoder exploded on segment 3');
    expect(attemptTimes).toHaveLength(3);
    // baseMs 100 with equal jitter: at least 50 ms before retry 1, at least 100 ms before retry 2.
    expect(attemptTimes[1]! - attemptTimes[0]!).toBeGreaterThanOrEqual(45);
    expect(attemptTimes[2]! - attemptTimes[1]!).toBeGreaterThanOrEqual(95);
    expect((await queue.list({ queue: name, state: 'dead' })).map((job) => job.id)).toEqual([id]);
    expect(await queue.depth()).toContainEqual({ queue: name, state: 'dead', count: 1 });
    expect(logLines.join('\n')).not.toContain('PHI-do-not-log');

    healed = true;
    await queue.retry(id);
    const revived = await jobInState(id, 'succeeded');
    expect(revived.attempts).toBe(1);
    expect(await queue.list({ queue: name, state: 'dead' })).toEqual([]);

    await expect(queue.retry(id)).rejects.toSatisfy(
      (error) => isAppError(error) && error.code === 'conflict',
    );
    await expect(queue.retry('00000000-0000-4000-8000-000000000000')).rejects.toSatisfy(
      (error) => isAppError(error) && error.code === 'not_found',
    );
    expect(await queue.get('not-a-uuid')).toBeUndefined();
  });

  it(`deduplicates jobs by idempotency key per queue (${backendName})`, async () => {
    const name = newQueueName('idempotent');
    const first = await queue.enqueue(name, { upload: 1 }, { idempotencyKey: 'upload-1' });
    const again = await queue.enqueue(name, { upload: 1 }, { idempotencyKey: 'upload-1' });
    const otherKey = await queue.enqueue(name, { upload: 2 }, { idempotencyKey: 'upload-2' });
    const otherQueue = await queue.enqueue(`${name}.other`, { upload: 1 }, { idempotencyKey: 'upload-1' });
    expect(again).toBe(first);
    expect(new Set([first, otherKey, otherQueue]).size).toBe(3);
    expect(await queue.list({ queue: name })).toHaveLength(2);
    expect((await queue.get(first))?.idempotencyKey).toBe('upload-1');
  });

  it(`takes back the job of a worker that died holding its claim, after the visibility timeout (${backendName})`, async () => {
    const name = newQueueName('crashed');
    const id = await queue.enqueue(name, {});
    // What a worker process that crashed mid-job leaves behind: a running claim nobody renews.
    await sql`
      update job set state = 'running', attempts = 1, lease_id = gen_random_uuid(), worker_id = 'crashed-worker',
        locked_until = now() + interval '1 second', started_at = now()
      where id = ${id}`.execute(database.db as Kysely<unknown>);
    const crashedAt = Date.now();
    let ranAt = 0;
    startWorker({ [name]: async () => void (ranAt = Date.now()) }, { visibilityTimeoutMs: 1_000 });

    const done = await jobInState(id, 'succeeded');
    expect(ranAt - crashedAt).toBeGreaterThanOrEqual(900);
    expect(done.attempts).toBe(2);
    expect(done.lastError).toContain('claim expired: worker crashed-worker');
  });

  it(`keeps the claim of a job that runs longer than the visibility timeout by renewing it (${backendName})`, async () => {
    const name = newQueueName('long');
    let runs = 0;
    const handlers = {
      [name]: async () => {
        runs++;
        await sleep(1_500);
      },
    };
    startWorker(handlers, { visibilityTimeoutMs: 500 });
    startWorker(handlers, { visibilityTimeoutMs: 500 }, await backend.open());
    const id = await queue.enqueue(name, {});
    const done = await jobInState(id, 'succeeded');
    expect(runs).toBe(1);
    expect(done).toMatchObject({ attempts: 1, lastError: undefined });
  });

  it(`aborts a handler whose claim was taken over by another worker (${backendName})`, async () => {
    const name = newQueueName('claim-lost');
    let abortReason: unknown;
    startWorker(
      {
        [name]: (job) =>
          new Promise<void>((resolve) =>
            job.signal.addEventListener('abort', () => {
              abortReason = job.signal.reason;
              resolve();
            }),
          ),
      },
      { visibilityTimeoutMs: 600 },
    );
    const id = await queue.enqueue(name, {});
    await jobInState(id, 'running');
    // As if the claim had expired and another worker had claimed the job since.
    await sql`update job set lease_id = gen_random_uuid(), worker_id = 'other-worker' where id = ${id}`.execute(
      database.db as Kysely<unknown>,
    );
    await waitFor('the handler to be aborted', async () => abortReason !== undefined, 3_000);
    expect(String(abortReason)).toContain('claim was lost');
    // The aborted attempt must not overwrite the new owner's state.
    expect(await queue.get(id)).toMatchObject({ state: 'running', workerId: 'other-worker' });
  });

  it(`runs each of 200 jobs exactly once with two workers competing from separate database handles (two pools on PostgreSQL) (${backendName})`, async () => {
    const name = newQueueName('compete');
    const runs = new Map<string, number>();
    const inFlight = new Set<string>();
    const ranBy = { a: 0, b: 0 };
    let overlaps = 0;
    const handlerFor =
      (worker: 'a' | 'b'): JobHandler =>
      async (job) => {
        if (inFlight.has(job.id)) overlaps++;
        inFlight.add(job.id);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        ranBy[worker]++;
        await sleep(Math.random() * 3);
        inFlight.delete(job.id);
      };
    const [first, second] = [await backend.open(), await backend.open()];
    startWorker({ [name]: handlerFor('a') }, { concurrency: 4, pollIntervalMs: 20 }, first);
    startWorker({ [name]: handlerFor('b') }, { concurrency: 4, pollIntervalMs: 20 }, second);

    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, i) => queue.enqueue(name, { n: batch * 20 + i })),
        )),
      );
    }
    await waitFor(
      'all 200 jobs to succeed',
      async () =>
        (await queue.depth()).find((row) => row.queue === name && row.state === 'succeeded')?.count === 200,
      30_000,
    );

    expect(overlaps).toBe(0);
    expect(runs.size).toBe(200);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(ids.every((id) => runs.has(id))).toBe(true);
    expect(ranBy.a).toBeGreaterThan(0);
    expect(ranBy.b).toBeGreaterThan(0);
    const jobs = await queue.list({ queue: name, limit: 1_000 });
    expect(jobs.every((job) => job.state === 'succeeded' && job.attempts === 1)).toBe(true);
  });

  it(`stop() lets a running job finish within the grace period and claims nothing new (${backendName})`, async () => {
    const name = newQueueName('drain');
    let started = false;
    const worker = startWorker({
      [name]: async () => {
        started = true;
        await sleep(300);
      },
    });
    const id = await queue.enqueue(name, {});
    await waitFor('the job to start', async () => started);
    const stopAt = Date.now();
    await worker.stop({ graceMs: 5_000 });
    expect(Date.now() - stopAt).toBeGreaterThanOrEqual(150);
    expect((await queue.get(id))?.state).toBe('succeeded');

    const later = await queue.enqueue(name, {});
    await sleep(200);
    expect((await queue.get(later))?.state).toBe('queued');
  });

  it(`stop() aborts a job past the grace period and puts it back in the queue without using an attempt (${backendName})`, async () => {
    const name = newQueueName('interrupt');
    let abortReason: unknown;
    const worker = startWorker({
      [name]: (job) =>
        new Promise<void>((_, reject) => {
          job.signal.addEventListener('abort', () => {
            abortReason = job.signal.reason;
            reject(job.signal.reason);
          });
        }),
    });
    const id = await queue.enqueue(name, {});
    await jobInState(id, 'running');
    await worker.stop({ graceMs: 100 });
    expect(String(abortReason)).toContain('shutting down');
    const job = await queue.get(id);
    expect(job).toMatchObject({ state: 'queued', attempts: 0, lastError: 'interrupted by worker shutdown' });
  });

  it(`records a readable reason for strings thrown, timeouts, unrecoverable errors and bad payloads, and keeps running (${backendName})`, async () => {
    const names = {
      string: newQueueName('throws-string'),
      cooperative: newQueueName('hangs-cooperative'),
      stubborn: newQueueName('hangs-stubborn'),
      unrecoverable: newQueueName('unrecoverable'),
      payload: newQueueName('bad-payload'),
      healthy: newQueueName('healthy'),
    };
    const payloadSchema = z.object({ videoId: z.string() });
    startWorker(
      {
        [names.string]: async () => {
          throw 'boom';
        },
        [names.cooperative]: (job) =>
          new Promise<void>((_, reject) =>
            job.signal.addEventListener('abort', () => reject(job.signal.reason)),
          ),
        [names.stubborn]: () => new Promise<void>(() => {}),
        [names.unrecoverable]: async () => {
          throw new UnrecoverableJobError('upload is not a video file');
        },
        [names.payload]: async (job) => void payloadSchema.parse(job.payload),
        [names.healthy]: async () => {},
      },
      { concurrency: 6 },
    );
    const ids = {
      string: await queue.enqueue(names.string, {}, { maxAttempts: 1 }),
      cooperative: await queue.enqueue(names.cooperative, {}, { maxAttempts: 1, timeoutMs: 200 }),
      stubborn: await queue.enqueue(names.stubborn, {}, { maxAttempts: 1, timeoutMs: 200 }),
      unrecoverable: await queue.enqueue(names.unrecoverable, {}, { maxAttempts: 5 }),
      payload: await queue.enqueue(names.payload, { videoId: 42 }, { maxAttempts: 1 }),
    };

    expect((await jobInState(ids.string, 'dead')).lastError).toBe('boom');
    expect((await jobInState(ids.cooperative, 'dead')).lastError).toBe('timed out after 200 ms');
    expect((await jobInState(ids.stubborn, 'dead')).lastError).toBe(
      'timed out after 200 ms and did not stop when aborted',
    );
    const unrecoverable = await jobInState(ids.unrecoverable, 'dead');
    expect(unrecoverable).toMatchObject({
      attempts: 1,
      lastError: 'UnrecoverableJobError: upload is not a video file',
    });
    const badPayload = await jobInState(ids.payload, 'dead');
    expect(badPayload.lastError).toContain('videoId');
    expect(badPayload.lastError).not.toMatch(/\n|\bat .*\.ts:\d+/);

    const healthy = await queue.enqueue(names.healthy, {});
    await jobInState(healthy, 'succeeded');
    await expect(queue.enqueue(names.healthy, { size: 10n })).rejects.toSatisfy(
      (error) => isAppError(error) && error.code === 'invalid_request',
    );
  });
});
