import { sql, type Kysely } from 'kysely';
import type { JobProgress, JobState } from './types.ts';

/**
 * The worker's SQL. Each is one statement, the same on PostgreSQL and PGlite. Every write to a claimed
 * job is fenced by its `lease_id` (new at each claim), so a worker that lost its claim can never
 * overwrite the outcome of the attempt that replaced it.
 */

export interface ClaimedJob {
  id: string;
  queue: string;
  payload: unknown;
  attempts: number;
  timeout_ms: number | null;
  lease_id: string;
}

const fromNow = (ms: number) => sql`now() + make_interval(secs => ${ms / 1000})`;

/** `SKIP LOCKED` lets concurrent claimers pass over each other's rows instead of queueing behind them. */
export async function claimJobs(
  db: Kysely<unknown>,
  claim: { queues: string[]; limit: number; workerId: string; visibilityTimeoutMs: number },
): Promise<ClaimedJob[]> {
  const { rows } = await sql<ClaimedJob>`
    with ready as (
      select id from job
      where state in ('queued', 'failed') and run_at <= now()
        and queue in (${sql.join(claim.queues)})
      order by priority desc, run_at, id
      limit ${claim.limit}
      for update skip locked
    )
    update job set
      state = 'running', attempts = job.attempts + 1, lease_id = gen_random_uuid(),
      worker_id = ${claim.workerId}, locked_until = ${fromNow(claim.visibilityTimeoutMs)},
      started_at = now(), finished_at = null, updated_at = now()
    from ready where job.id = ready.id
    returning job.id, job.queue, job.payload, job.attempts, job.timeout_ms, job.lease_id`.execute(db);
  return rows;
}

/** Takes back claims whose worker stopped renewing them; the attempt counts, as the job may be at fault. */
export async function reapExpiredClaims(
  db: Kysely<unknown>,
): Promise<{ id: string; queue: string; state: JobState; worker_id: string | null }[]> {
  const { rows } = await sql<{ id: string; queue: string; state: JobState; worker_id: string | null }>`
    update job set
      state = case when attempts >= max_attempts then 'dead' else 'failed' end,
      last_error = 'claim expired: worker ' || coalesce(worker_id, '?') || ' stopped renewing it (crashed, hung or cut off)',
      lease_id = null, locked_until = null, run_at = now(), updated_at = now(),
      finished_at = case when attempts >= max_attempts then now() end
    where state = 'running' and locked_until < now()
    returning id, queue, state, worker_id`.execute(db);
  return rows;
}

/** Extends this worker's claims; returns the leases it still holds (the others were reaped). */
export async function renewClaims(
  db: Kysely<unknown>,
  leaseIds: string[],
  visibilityTimeoutMs: number,
): Promise<Set<string>> {
  if (leaseIds.length === 0) return new Set();
  const { rows } = await sql<{ lease_id: string }>`
    update job set locked_until = ${fromNow(visibilityTimeoutMs)}
    where state = 'running' and lease_id in (${sql.join(leaseIds)})
    returning lease_id`.execute(db);
  return new Set(rows.map((r) => r.lease_id));
}

export async function completeJob(db: Kysely<unknown>, id: string, leaseId: string): Promise<boolean> {
  const result = await sql`
    update job set
      state = 'succeeded', progress = 1, lease_id = null, locked_until = null,
      finished_at = now(), updated_at = now()
    where id = ${id} and lease_id = ${leaseId} and state = 'running'`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** Records a failed attempt: `failed` with a retry time, or `dead` once out of attempts. */
export async function failJob(
  db: Kysely<unknown>,
  failure: { id: string; leaseId: string; reason: string; retryDelayMs: number; unrecoverable: boolean },
): Promise<JobState | undefined> {
  const dead = sql`(attempts >= max_attempts or ${failure.unrecoverable})`;
  const { rows } = await sql<{ state: JobState }>`
    update job set
      state = case when ${dead} then 'dead' else 'failed' end,
      last_error = ${failure.reason},
      run_at = case when ${dead} then run_at else ${fromNow(failure.retryDelayMs)} end,
      finished_at = case when ${dead} then now() end,
      lease_id = null, locked_until = null, updated_at = now()
    where id = ${failure.id} and lease_id = ${failure.leaseId} and state = 'running'
    returning state`.execute(db);
  return rows[0]?.state;
}

/** Gives an interrupted attempt back without counting it: the shutdown was not the job's fault. */
export async function releaseJob(
  db: Kysely<unknown>,
  id: string,
  leaseId: string,
  reason: string,
): Promise<boolean> {
  const result = await sql`
    update job set
      state = 'queued', attempts = greatest(attempts - 1, 0), last_error = ${reason},
      run_at = now(), lease_id = null, locked_until = null, updated_at = now()
    where id = ${id} and lease_id = ${leaseId} and state = 'running'`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export async function writeProgress(
  db: Kysely<unknown>,
  id: string,
  leaseId: string,
  progress: JobProgress,
): Promise<void> {
  await sql`
    update job set progress = ${progress.fraction}, progress_message = ${progress.message ?? null}, updated_at = now()
    where id = ${id} and lease_id = ${leaseId} and state = 'running'`.execute(db);
}

/** Retention: succeeded jobs are history only; dead ones stay until retried or removed by an operator. */
export async function purgeSucceededJobs(db: Kysely<unknown>, olderThanMs: number): Promise<number> {
  const result = await sql`
    delete from job where state = 'succeeded' and finished_at < now() - make_interval(secs => ${olderThanMs / 1000})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}
