import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import { jobHandlers } from '../../src/app/job-handlers.ts';
import { createJobWorker, type JobWorker } from '../../src/platform/jobs/index.ts';
import { openTestRuntime, type Backend, type TestRuntime } from '../support/runtime.ts';
import { bearer, createInstitutions, createUser, signIn } from './identity-fixtures.ts';

export interface VideoTestbed {
  t: TestRuntime;
  app: FastifyInstance;
  /** A job worker running the video pipeline (one job at a time). */
  worker: JobWorker;
  /** A scratch folder for generated clips, removed afterwards. */
  work: string;
  /** Bearer headers of a physician of `institution`, who owns the uploads. */
  owner: Record<string, string>;
}

/**
 * A runtime, the app, a job worker and a scratch folder for a video test file, opened before its tests
 * (register it before the file's own `beforeAll`) and closed after them.
 */
export function useVideoTestbed(
  backend: Backend,
  label: string,
  institution: { id: string; name: string },
  backoff?: { baseMs: number; maxMs: number },
): VideoTestbed {
  const bed = {} as VideoTestbed;
  beforeAll(async () => {
    bed.t = await openTestRuntime(backend, label);
    await createInstitutions(bed.t.runtime.records, [institution]);
    bed.app = await buildApp(bed.t.runtime);
    bed.worker = createJobWorker(bed.t.runtime.records, jobHandlers(bed.t.runtime), {
      concurrency: 1,
      pollIntervalMs: 200,
      logger: bed.t.runtime.logger,
      ...(backoff ? { backoff } : {}),
    });
    bed.worker.start();
    bed.work = await mkdtemp(path.join(os.tmpdir(), `carebase-${label}-`));
    const physician = await createUser(bed.t.runtime.records, {
      roles: ['physician'],
      institution: institution.id,
    });
    bed.owner = bearer((await signIn(bed.app, physician)).access_token);
  });
  afterAll(async () => {
    await bed.worker?.stop({ graceMs: 1_000 });
    await bed.app?.close();
    await bed.t?.cleanup();
    if (bed.work) await rm(bed.work, { recursive: true, force: true });
  });
  return bed;
}
