import { sql, type Kysely, type Transaction } from 'kysely';
import type { RequestContext } from '../context/index.ts';
import { AppError } from '../errors/index.ts';
import type { Database } from './database.ts';

/**
 * The role clinical transactions run as in embedded mode. PGlite has a single superuser session, so each
 * caller transaction drops to this role with a transaction-local setting; row-level security then applies
 * exactly as it does to the production application role.
 */
export const EMBEDDED_APP_ROLE = 'carebase_app';

/** Names of the transaction-local settings the RLS policies read (`current_setting('carebase.x', true)`). */
export function callerSettings(ctx: RequestContext): [name: string, value: string][] {
  return [
    ['carebase.request_id', ctx.requestId],
    ['carebase.subject', ctx.subject ?? ''],
    ['carebase.kind', ctx.kind],
    ['carebase.roles', ctx.roles.join(',')],
    ['carebase.institution', ctx.institution ?? ''],
    ['carebase.patient', ctx.patientId ?? ''],
    ['carebase.delegations', ctx.delegations.join(',')],
    ['carebase.purpose', ctx.purpose ?? ''],
    // Read by carebase_patient_opened(): a consent naming the practitioner opens another institution's
    // patient; a break-glass grant is looked up by subject and purpose, never trusted from the context.
    ['carebase.practitioner', ctx.practitionerId ?? ''],
  ];
}

/**
 * One statement that applies the caller's settings for the current transaction only (`is_local = true`),
 * so a pooled connection can never carry one caller's settings into another's transaction.
 */
export function applyCallerSettings(trx: Kysely<unknown>, kind: Database['kind'], ctx: RequestContext) {
  const settings = callerSettings(ctx);
  if (kind === 'pglite') settings.unshift(['role', EMBEDDED_APP_ROLE]);
  const calls = settings.map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  return sql`select ${sql.join(calls)}`.execute(trx);
}

/** Runs `fn` in a transaction that carries the caller; RLS policies see it, nothing outlives the commit. */
export async function inCallerTransaction<DB, T>(
  database: Database<DB>,
  ctx: RequestContext,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return database.db.transaction().execute(async (trx) => {
    await applyCallerSettings(trx as unknown as Kysely<unknown>, database.kind, ctx);
    return fn(trx);
  });
}

/**
 * Production refuses to run as a role that would bypass row-level security. PGlite is exempt: its only
 * session is a superuser, and caller transactions drop to EMBEDDED_APP_ROLE instead.
 */
export async function assertRowLevelSecurityApplies(database: Database): Promise<void> {
  if (database.kind !== 'postgres') return;
  const { rows } = await sql<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>`
    select rolname, rolsuper, rolbypassrls from pg_roles where rolname = current_user`.execute(database.db);
  const role = rows[0];
  if (!role || role.rolsuper || role.rolbypassrls) {
    throw new AppError(
      'internal',
      `Refusing to start: database role "${role?.rolname ?? '?'}" is a superuser or has BYPASSRLS, so row-level security would not apply. Connect DATABASE_URL as an ordinary role (see README, production mode).`,
    );
  }
}
