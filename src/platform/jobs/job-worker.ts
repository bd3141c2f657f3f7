import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/index.ts';
import { AppError } from '../errors/index.ts';
import { describeError } from './describe-error.ts';
import { jobsDb } from './job-row.ts';
import {
  claimJobs,
  purgeSucceededJobs,
  reapExpiredClaims,
  renewClaims,
  type ClaimedJob,
} from './job-statements.ts';
import { abortAttempt, runAttempt, type Attempt, type AttemptSettings } from './run-attempt.ts';
import type { JobHandler, JobWorker, JobWorkerOptions } from './types.ts';
import { onJobAnnounced, Waker } from './wakeups.ts';

const defaults = {
  visibilityTimeoutMs: 30_000,
  jobTimeoutMs: 15 * 60_000,
  backoff: { baseMs: 1_000, maxMs: 10 * 60_000 },
  progressIntervalMs: 1_000,
  retainSucceededMs: 7 * 24 * 3_600_000,
  stopGraceMs: 10_000,
};
const abandonAfterAbortMs = 1_000;
const purgeEveryMs = 60_000;

/**
 * Polls the job table for due jobs of the queues it has handlers for and runs up to `concurrency` at once.
 * Claims are leases renewed by a heartbeat; any worker takes back a lease that was not renewed in time.
 */
export function createJobWorker(
  database: Database,
  handlers: Record<string, JobHandler>,
  options: JobWorkerOptions,
): JobWorker {
  const settings = resolveSettings(options);
  const { logger, workerId, visibilityTimeoutMs } = settings;
  const db = jobsDb(database);
  const queues = Object.keys(handlers);
  const attemptSettings: AttemptSettings = { ...settings, db, abandonAfterAbortMs };
  const attempts = new Map<string, { attempt: Attempt; done: Promise<void> }>();
  const waker = new Waker();
  // Reaping is cheap (a partial index) but need not run on every wake-up.
  const reapEveryMs = Math.min(Math.max(settings.pollIntervalMs, 1_000), visibilityTimeoutMs);
  let lastReapAt = Number.NEGATIVE_INFINITY;
  let lastPurgeAt = Number.NEGATIVE_INFINITY;
  let phase: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  let loopDone: Promise<void> = Promise.resolve();
  let stopped: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let renewing = false;
  let unsubscribe = () => {};

  function startAttempt(claim: ClaimedJob): void {
    const attempt: Attempt = {
      claim,
      controller: new AbortController(),
      abortCause: undefined,
      settled: false,
    };
    const handler = handlers[claim.queue]!;
    const done = runAttempt(attempt, handler, attemptSettings).finally(() => {
      attempts.delete(claim.lease_id);
      waker.wake();
    });
    attempts.set(claim.lease_id, { attempt, done });
  }

  async function maintain(): Promise<void> {
    const now = Date.now();
    if (now - lastReapAt >= reapEveryMs) {
      lastReapAt = now;
      for (const job of await reapExpiredClaims(db)) {
        logger.warn(
          { jobId: job.id, queue: job.queue, state: job.state, previousWorker: job.worker_id },
          'took back an expired job claim',
        );
      }
    }
    if (now - lastPurgeAt >= purgeEveryMs) {
      lastPurgeAt = now;
      const purged = await purgeSucceededJobs(db, settings.retainSucceededMs);
      if (purged > 0) logger.info({ purged }, 'purged old succeeded jobs');
    }
  }

  async function loop(): Promise<void> {
    while (phase === 'running') {
      try {
        await maintain();
        const free = settings.concurrency - attempts.size;
        if (free > 0 && queues.length > 0) {
          const claims = await claimJobs(db, { queues, limit: free, workerId, visibilityTimeoutMs });
          for (const claim of claims) startAttempt(claim);
        }
      } catch (error) {
        logger.error({ workerId, error: describeError(error) }, 'job worker could not poll; will try again');
      }
      if (phase !== 'running') break;
      // Woken early by an enqueue in this process or by a finished job freeing a slot.
      await waker.sleep(settings.pollIntervalMs);
    }
  }

  async function renew(): Promise<void> {
    if (renewing || attempts.size === 0) return;
    renewing = true;
    const leases = [...attempts.keys()];
    try {
      const held = await renewClaims(db, leases, visibilityTimeoutMs);
      for (const lease of leases) {
        const entry = attempts.get(lease);
        if (entry && !held.has(lease)) abortAttempt(entry.attempt, 'claim-lost');
      }
    } catch (error) {
      logger.warn({ workerId, error: describeError(error) }, 'could not renew job claims');
    } finally {
      renewing = false;
    }
  }

  async function drain(graceMs: number): Promise<void> {
    await loopDone;
    const allDone = () => Promise.all([...attempts.values()].map((entry) => entry.done));
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => {
      graceTimer = setTimeout(() => resolve('grace over'), graceMs);
    });
    const result = await Promise.race([allDone(), graceOver]);
    clearTimeout(graceTimer);
    if (result === 'grace over') {
      logger.warn(
        { workerId, running: attempts.size },
        'aborting jobs still running after the shutdown grace period',
      );
      for (const { attempt } of attempts.values()) abortAttempt(attempt, 'shutdown');
      await allDone();
    }
    clearInterval(heartbeat);
    phase = 'stopped';
    logger.info({ workerId }, 'job worker stopped');
  }

  return {
    start() {
      if (phase === 'running') return;
      if (phase !== 'idle') throw new AppError('internal', 'A stopped job worker cannot be started again.');
      phase = 'running';
      unsubscribe = onJobAnnounced((queue) => {
        if (Object.hasOwn(handlers, queue)) waker.wake();
      });
      heartbeat = setInterval(() => void renew(), Math.max(Math.floor(visibilityTimeoutMs / 3), 10));
      loopDone = loop();
      logger.info({ workerId, queues, concurrency: settings.concurrency }, 'job worker started');
    },

    stop(stopOptions = {}) {
      if (phase === 'idle') phase = 'stopped';
      if (phase === 'stopped') return stopped ?? Promise.resolve();
      if (!stopped) {
        phase = 'stopping';
        unsubscribe();
        waker.wake();
        stopped = drain(Math.max(stopOptions.graceMs ?? defaults.stopGraceMs, 0));
      }
      return stopped;
    },
  };
}

function resolveSettings(options: JobWorkerOptions) {
  const settings = {
    concurrency: options.concurrency,
    pollIntervalMs: options.pollIntervalMs,
    logger: options.logger,
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? defaults.visibilityTimeoutMs,
    jobTimeoutMs: options.jobTimeoutMs ?? defaults.jobTimeoutMs,
    backoff: options.backoff ?? defaults.backoff,
    progressIntervalMs: options.progressIntervalMs ?? defaults.progressIntervalMs,
    retainSucceededMs: options.retainSucceededMs ?? defaults.retainSucceededMs,
  };
  const positive = {
    concurrency: settings.concurrency,
    pollIntervalMs: settings.pollIntervalMs,
    visibilityTimeoutMs: settings.visibilityTimeoutMs,
    jobTimeoutMs: settings.jobTimeoutMs,
    'backoff.baseMs': settings.backoff.baseMs,
    'backoff.maxMs': settings.backoff.maxMs,
    progressIntervalMs: settings.progressIntervalMs,
    retainSucceededMs: settings.retainSucceededMs,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new AppError('internal', `Job worker option ${name} must be a positive number (got ${value}).`);
    }
  }
  if (!Number.isInteger(settings.concurrency))
    throw new AppError('internal', 'Job worker concurrency must be an integer.');
  return settings;
}
