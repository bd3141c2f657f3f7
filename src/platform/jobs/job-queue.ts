import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/index.ts';
import { AppError } from '../errors/index.ts';
import { isJobId, jobsDb, toJobRecord, type JobRow } from './job-row.ts';
import { jobStates, type EnqueueOptions, type JobQueue, type JobState } from './types.ts';
import { announceJob } from './wakeups.ts';

const defaultMaxAttempts = 5;
const defaultListLimit = 100;
const maxListLimit = 1_000;

/** Enqueueing and inspecting jobs. Cheap to create; holds no resources of its own. */
export function createJobQueue(database: Database): JobQueue {
  const db = jobsDb(database);

  const get: JobQueue['get'] = async (id) => {
    if (!isJobId(id)) return undefined;
    const { rows } = await sql<JobRow>`select * from job where id = ${id}`.execute(db);
    return rows[0] ? toJobRecord(rows[0]) : undefined;
  };

  return {
    get,

    async enqueue(queue, payload, options = {}) {
      validateEnqueue(queue, options);
      const json = serializePayload(payload);
      const id = randomUUID();
      const { rows } = await sql<{ id: string }>`
        insert into job (id, queue, payload, priority, max_attempts, timeout_ms, idempotency_key, run_at)
        values (
          ${id}, ${queue}, cast(${json} as jsonb), ${options.priority ?? 0},
          ${options.maxAttempts ?? defaultMaxAttempts}, ${options.timeoutMs ?? null},
          ${options.idempotencyKey ?? null}, coalesce(${options.runAt ?? null}::timestamptz, now())
        )
        on conflict (queue, idempotency_key) where idempotency_key is not null do nothing
        returning id`.execute(db);
      if (rows[0]) {
        if (!options.runAt || options.runAt.getTime() <= Date.now()) announceJob(queue);
        return rows[0].id;
      }
      const existing = await sql<{ id: string }>`
        select id from job where queue = ${queue} and idempotency_key = ${options.idempotencyKey!}`.execute(
        db,
      );
      if (!existing.rows[0]) {
        // Only possible if the first job was purged between the two statements.
        throw new AppError('conflict', 'The job with this idempotency key changed concurrently; try again.');
      }
      return existing.rows[0].id;
    },

    async list(filter = {}) {
      if (filter.state !== undefined && !jobStates.includes(filter.state)) {
        throw new AppError('invalid_request', `Unknown job state "${String(filter.state)}".`);
      }
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? defaultListLimit), 1), maxListLimit);
      const conditions = [sql`true`];
      if (filter.queue !== undefined) conditions.push(sql`queue = ${filter.queue}`);
      if (filter.state !== undefined) conditions.push(sql`state = ${filter.state}`);
      const { rows } = await sql<JobRow>`
        select * from job where ${sql.join(conditions, sql` and `)}
        order by created_at desc, id limit ${limit}`.execute(db);
      return rows.map(toJobRecord);
    },

    async retry(id) {
      const job = await get(id);
      if (!job) throw new AppError('not_found', 'No such job.');
      const result = await sql`
        update job set state = 'queued', attempts = 0, run_at = now(), finished_at = null, updated_at = now()
        where id = ${id} and state in ('dead', 'failed')`.execute(db);
      if (Number(result.numAffectedRows ?? 0) !== 1) {
        throw new AppError('conflict', `Only dead or failed jobs can be retried; this one is ${job.state}.`);
      }
      announceJob(job.queue);
    },

    async depth() {
      const { rows } = await sql<{ queue: string; state: JobState; count: number }>`
        select queue, state, count(*)::int as count from job group by queue, state order by queue, state`.execute(
        db,
      );
      return rows;
    },
  };
}

function validateEnqueue(queue: string, options: EnqueueOptions): void {
  const problems: string[] = [];
  if (queue.length === 0 || queue.length > 128) problems.push('queue must be 1 to 128 characters');
  const positiveInteger = (value: number | undefined) =>
    value === undefined || (Number.isInteger(value) && value > 0);
  if (!positiveInteger(options.maxAttempts)) problems.push('maxAttempts must be a positive integer');
  if (!positiveInteger(options.timeoutMs) || (options.timeoutMs ?? 0) > 2_147_483_647) {
    problems.push('timeoutMs must be a positive integer of milliseconds');
  }
  if (options.priority !== undefined && !Number.isInteger(options.priority))
    problems.push('priority must be an integer');
  if (options.runAt !== undefined && Number.isNaN(options.runAt.getTime()))
    problems.push('runAt is not a valid date');
  if (options.idempotencyKey !== undefined && options.idempotencyKey.length === 0) {
    problems.push('idempotencyKey must not be empty');
  }
  if (problems.length > 0)
    throw new AppError('invalid_request', `Cannot enqueue job: ${problems.join('; ')}.`);
}

function serializePayload(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new AppError('invalid_request', 'Job payload must be JSON-serializable.', { cause: error });
  }
  if (json === undefined) throw new AppError('invalid_request', 'Job payload must be JSON-serializable.');
  return json;
}
