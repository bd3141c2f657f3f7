import type { Logger } from '../logging/index.ts';

/**
 * `failed` = the last attempt failed and the job will run again after its backoff (`runAt`);
 * `dead` = out of attempts, or unrecoverable: the dead letter, kept until someone calls `retry`.
 */
export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'dead'] as const;
export type JobState = (typeof jobStates)[number];

export interface JobProgress {
  /** 0..1 */
  fraction: number;
  message: string | undefined;
}

export interface JobRecord {
  id: string;
  queue: string;
  state: JobState;
  payload: unknown;
  priority: number;
  /** Attempts started so far, including the running one. */
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | undefined;
  idempotencyKey: string | undefined;
  progress: JobProgress | undefined;
  /** A readable reason for the last failure (kept after a later success, as history). */
  lastError: string | undefined;
  /** The worker that claimed it last. */
  workerId: string | undefined;
  /** While running: the claim lasts until then unless the worker renews it. */
  lockedUntil: Date | undefined;
  /** Not before then: the requested start, or the end of the backoff after a failure. */
  runAt: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Start of the latest attempt. */
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
}

export interface EnqueueOptions {
  runAt?: Date;
  /** Default 5. */
  maxAttempts?: number;
  /** Higher runs first. Default 0. */
  priority?: number;
  /** Unique per queue: enqueueing the same key again returns the existing job's id. */
  idempotencyKey?: string;
  /** The attempt is aborted past this; default the worker's `jobTimeoutMs`. */
  timeoutMs?: number;
}

export interface JobQueue {
  enqueue(queue: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first. `limit` defaults to 100 (at most 1,000). */
  list(filter?: { queue?: string; state?: JobState; limit?: number }): Promise<JobRecord[]>;
  /** Puts a dead (or failed) job back in the queue now, with its attempts reset. */
  retry(id: string): Promise<void>;
  /** Job counts by queue and state, for the queue-depth gauge. */
  depth(): Promise<{ queue: string; state: JobState; count: number }[]>;
}

export interface RunningJob {
  id: string;
  queue: string;
  payload: unknown;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted on timeout, on shutdown after the grace period, or when the claim was lost. */
  signal: AbortSignal;
  /** Throttled: call it as often as you like; the database sees at most one write per interval. */
  reportProgress(fraction: number, message?: string): Promise<void>;
}

export type JobHandler = (job: RunningJob) => Promise<void>;

export interface JobWorker {
  start(): void;
  /**
   * Stops claiming, waits up to `graceMs` (default 10 s) for running jobs, then aborts them. A job that
   * stops when aborted goes straight back to the queue; one that does not is picked up by another worker
   * once its claim times out.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface JobWorkerOptions {
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** How often to look for due jobs when nothing wakes the worker earlier. */
  pollIntervalMs: number;
  logger: Logger;
  /** A claim not renewed for this long is taken back (worker crashed or hung). Default 30 s. */
  visibilityTimeoutMs?: number;
  workerId?: string;
  /** Per-attempt timeout for jobs enqueued without one. Default 15 min. */
  jobTimeoutMs?: number;
  /** Retry delay: baseMs · 2^(attempt−1), capped at maxMs, with jitter. Default 1 s … 10 min. */
  backoff?: { baseMs: number; maxMs: number };
  /** Minimum time between two progress writes of one job. Default 1 s. */
  progressIntervalMs?: number;
  /** Succeeded jobs are deleted after this. Default 7 days. */
  retainSucceededMs?: number;
}
