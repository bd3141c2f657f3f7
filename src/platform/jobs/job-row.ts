import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { JobRecord, JobState } from './types.ts';

/** A row of the `job` table as both drivers return it. */
export interface JobRow {
  id: string;
  queue: string;
  state: JobState;
  payload: unknown;
  priority: number;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
  idempotency_key: string | null;
  progress: number | null;
  progress_message: string | null;
  last_error: string | null;
  worker_id: string | null;
  lease_id: string | null;
  locked_until: Date | null;
  run_at: Date;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** The jobs module only ever runs its own SQL; the table map of the caller's database does not matter. */
export function jobsDb(database: Database): Kysely<unknown> {
  return database.db as Kysely<unknown>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lets a malformed id read as "no such job" instead of a uuid cast error. */
export function isJobId(id: string): boolean {
  return uuidPattern.test(id);
}

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    queue: row.queue,
    state: row.state,
    payload: row.payload,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    timeoutMs: row.timeout_ms ?? undefined,
    idempotencyKey: row.idempotency_key ?? undefined,
    progress:
      row.progress === null
        ? undefined
        : { fraction: row.progress, message: row.progress_message ?? undefined },
    lastError: row.last_error ?? undefined,
    workerId: row.worker_id ?? undefined,
    lockedUntil: row.locked_until ?? undefined,
    runAt: row.run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}
