import type { Kysely } from 'kysely';
import type { Logger } from '../logging/index.ts';
import { retryDelayMs } from './backoff.ts';
import { describeError } from './describe-error.ts';
import { completeJob, failJob, releaseJob, writeProgress, type ClaimedJob } from './job-statements.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import type { JobHandler } from './types.ts';
import { UnrecoverableJobError } from './unrecoverable-job-error.ts';

export type AbortCause = 'timeout' | 'shutdown' | 'claim-lost';

/** One claimed attempt as the worker tracks it. */
export interface Attempt {
  readonly claim: ClaimedJob;
  readonly controller: AbortController;
  /** Why the attempt was aborted, if it was; fixed once the handler has settled. */
  abortCause: AbortCause | undefined;
  settled: boolean;
}

export interface AttemptSettings {
  db: Kysely<unknown>;
  logger: Logger;
  jobTimeoutMs: number;
  backoff: { baseMs: number; maxMs: number };
  progressIntervalMs: number;
  /** How long an aborted handler gets to stop before the worker gives up waiting for it. */
  abandonAfterAbortMs: number;
}

type Settlement = { kind: 'resolved' } | { kind: 'rejected'; error: unknown } | { kind: 'abandoned' };

const abortMessages: Record<AbortCause, string> = {
  timeout: 'job timed out',
  shutdown: 'worker is shutting down',
  'claim-lost': 'job claim was lost to another worker',
};

export function abortAttempt(attempt: Attempt, cause: AbortCause): void {
  if (attempt.settled || attempt.abortCause) return;
  attempt.abortCause = cause;
  const reason = new Error(abortMessages[cause]);
  reason.name = 'AbortError';
  attempt.controller.abort(reason);
}

/**
 * Runs the handler for one claimed attempt and records the outcome. Never throws: a handler may throw
 * anything or never settle, and a failed outcome write only means the claim expires and the job is retried.
 */
export async function runAttempt(
  attempt: Attempt,
  handler: JobHandler,
  settings: AttemptSettings,
): Promise<void> {
  const { claim, controller } = attempt;
  const { db, logger } = settings;
  const log = { jobId: claim.id, queue: claim.queue, attempt: claim.attempts };
  const timeoutMs = claim.timeout_ms ?? settings.jobTimeoutMs;
  const timer = setTimeout(() => abortAttempt(attempt, 'timeout'), timeoutMs);
  const progress = new ProgressThrottle(settings.progressIntervalMs, (value) =>
    writeProgress(db, claim.id, claim.lease_id, value).catch((error: unknown) =>
      logger.warn({ ...log, error: describeError(error) }, 'could not record job progress'),
    ),
  );
  const running = Promise.resolve().then(() =>
    handler({
      id: claim.id,
      queue: claim.queue,
      payload: claim.payload,
      attempt: claim.attempts,
      signal: controller.signal,
      reportProgress: (fraction, message) => progress.report(fraction, message),
    }),
  );
  const settlement = await settle(running, controller.signal, settings.abandonAfterAbortMs);
  attempt.settled = true;
  clearTimeout(timer);
  progress.close();
  try {
    await recordOutcome(attempt, settlement, timeoutMs, settings);
  } catch (error) {
    logger.error(
      { ...log, error: describeError(error) },
      'could not record job outcome; its claim will expire and it will run again',
    );
  }
}

async function recordOutcome(
  attempt: Attempt,
  settlement: Settlement,
  timeoutMs: number,
  { db, logger, backoff }: AttemptSettings,
): Promise<void> {
  const { claim } = attempt;
  const log = { jobId: claim.id, queue: claim.queue, attempt: claim.attempts };
  if (attempt.abortCause === 'claim-lost') {
    logger.warn(log, 'job claim expired while it ran; another worker owns the job now');
    return;
  }
  if (settlement.kind === 'resolved') {
    if (!(await completeJob(db, claim.id, claim.lease_id)))
      logger.warn(log, 'job finished after losing its claim');
    return;
  }
  if (attempt.abortCause === 'shutdown') {
    if (settlement.kind === 'abandoned') {
      logger.warn(
        log,
        'job did not stop when aborted at shutdown; its claim will expire and it will run again',
      );
    } else {
      await releaseJob(db, claim.id, claim.lease_id, 'interrupted by worker shutdown');
      logger.info(log, 'job interrupted by shutdown and put back in the queue');
    }
    return;
  }
  let reason: string;
  if (attempt.abortCause === 'timeout') {
    reason = `timed out after ${timeoutMs} ms`;
    if (settlement.kind === 'abandoned') reason += ' and did not stop when aborted';
  } else {
    reason = settlement.kind === 'rejected' ? describeError(settlement.error) : 'abandoned';
  }
  const unrecoverable = settlement.kind === 'rejected' && settlement.error instanceof UnrecoverableJobError;
  const state = await failJob(db, {
    id: claim.id,
    leaseId: claim.lease_id,
    reason,
    retryDelayMs: retryDelayMs(claim.attempts, backoff),
    unrecoverable,
  });
  if (state === undefined) logger.warn(log, 'job failed after losing its claim');
  else if (state === 'dead') logger.error({ ...log, reason }, 'job failed for good (dead letter)');
  else logger.warn({ ...log, reason }, 'job failed; it will be retried');
}

/** Waits for the handler, or, once aborted, at most `graceMs` more for it to stop. */
function settle(running: Promise<void>, signal: AbortSignal, graceMs: number): Promise<Settlement> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      timer = setTimeout(() => resolve({ kind: 'abandoned' }), graceMs);
    };
    const finish = (settlement: Settlement) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
      resolve(settlement);
    };
    if (signal.aborted) giveUp();
    else signal.addEventListener('abort', giveUp, { once: true });
    running.then(
      () => finish({ kind: 'resolved' }),
      (error: unknown) => finish({ kind: 'rejected', error }),
    );
  });
}
