import { sql, type Kysely } from 'kysely';
import { ensureAppRole, grantToAppRole, type Migrations } from '../db/index.ts';

/**
 * The job table. Not clinical rows (no RLS): jobs run as system work, and their payloads carry ids,
 * never clinical content. The partial indexes keep claiming and lease reaping cheap however many
 * finished jobs the table holds.
 */
export const jobsMigrations: Migrations = {
  '20261123_05_jobs': {
    async up(db: Kysely<unknown>) {
      await ensureAppRole(db);
      await sql`
        create table job (
          id uuid primary key,
          queue text not null check (length(queue) between 1 and 128),
          state text not null default 'queued'
            check (state in ('queued', 'running', 'succeeded', 'failed', 'dead')),
          payload jsonb not null,
          priority integer not null default 0,
          attempts integer not null default 0 check (attempts >= 0),
          max_attempts integer not null check (max_attempts > 0),
          timeout_ms integer check (timeout_ms > 0),
          idempotency_key text,
          progress real check (progress between 0 and 1),
          progress_message text,
          last_error text,
          worker_id text,
          lease_id uuid,
          locked_until timestamptz,
          run_at timestamptz not null default now(),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          started_at timestamptz,
          finished_at timestamptz
        )`.execute(db);
      await sql`
        create unique index job_idempotency on job (queue, idempotency_key)
        where idempotency_key is not null`.execute(db);
      await sql`
        create index job_ready on job (queue, priority desc, run_at)
        where state in ('queued', 'failed')`.execute(db);
      await sql`create index job_lease on job (locked_until) where state = 'running'`.execute(db);
      await sql`create index job_queue_state on job (queue, state, created_at)`.execute(db);
      await sql`create index job_finished on job (finished_at) where state = 'succeeded'`.execute(db);
      await grantToAppRole(db, ['job']);
    },
  },
};
