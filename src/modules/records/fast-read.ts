import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import {
  callerSettings,
  databaseDriver,
  inCallerTransaction,
  type Database,
} from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { rowColumns, selectCurrent, type StoredRow } from './store.ts';

/**
 * Runs one read-only query as the caller in one round trip on PostgreSQL: one autocommit statement applies
 * the caller's transaction-local settings in a materialized CTE and runs the query inside a LATERAL
 * subquery gated on it (`caller.applied is not null` becomes a one-time filter on the CTE's output, and
 * `offset 0` keeps the planner from flattening the gate away), so nothing of the query executes, and no
 * row-level security policy is evaluated, before the settings exist. `is_local` settings end with the
 * statement's implicit transaction (nothing leaks to the pooled connection). PGlite keeps the
 * transaction: its caller role switch must happen before planning, which one statement cannot do.
 *
 * `prepared`: the statement is prepared on each pooled connection and reused, so it is parsed and planned
 * once instead of on every call (the row-level security policies make planning cost more than a
 * primary-key read). The settings are parameters, so one generic plan serves every caller. A string names
 * a statement whose text never varies; `true` names it after its text (at most `maxPrepared` texts per
 * process, then unprepared). Only for statements whose best plan does not depend on the values: a
 * primary key, or a patient compartment.
 */
export async function selectAsCaller<T>(
  database: Database,
  ctx: RequestContext,
  query: RawBuilder<T>,
  prepared?: string | boolean,
): Promise<T[]> {
  if (database.kind !== 'postgres') {
    return inCallerTransaction(database, ctx, async (trx) => (await query.execute(trx)).rows);
  }
  const statement = callerStatement(ctx, query);
  const driver = databaseDriver(database.db as Kysely<unknown>);
  if (prepared && driver?.kind === 'postgres') {
    const { sql: text, parameters } = statement.compile(database.db as Kysely<unknown>);
    const name = typeof prepared === 'string' ? prepared : nameFor(text);
    if (name) return (await driver.pool.query({ name, text, values: [...parameters] })).rows as T[];
  }
  return (await statement.execute(database.db as Kysely<unknown>)).rows;
}

function callerStatement<T>(ctx: RequestContext, query: RawBuilder<T>): RawBuilder<T> {
  const settings = callerSettings(ctx).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  return sql<T>`
    with caller as materialized (select concat(${sql.join(settings)}) as applied)
    select x.* from caller cross join lateral (
      select * from (${query}) q where caller.applied is not null offset 0
    ) x`;
}

const maxPrepared = 200;
const preparedNames = new Map<string, string>();

function nameFor(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (!name && preparedNames.size < maxPrepared) {
    name = `records_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** A primary-key read of the current version in one round trip (see `selectAsCaller`). */
export async function readCurrentRow(
  database: Database,
  ctx: RequestContext,
  type: string,
  id: string,
): Promise<StoredRow | undefined> {
  if (database.kind !== 'postgres') {
    return inCallerTransaction(database, ctx, (trx) =>
      selectCurrent(trx as unknown as Kysely<unknown>, type, id),
    );
  }
  const driver = databaseDriver(database.db as Kysely<unknown>);
  if (driver?.kind !== 'postgres') throw new AppError('internal', 'A PostgreSQL handle without its pool');
  const values = [...callerSettings(ctx).flat(), type, id];
  if (!readText) {
    // The text never varies: the first read compiles it and checks that its parameters are exactly
    // `values`; later reads reuse it (compiling on every call was a measurable share of the hottest path).
    const compiled = callerStatement(
      ctx,
      sql<StoredRow>`select ${rowColumns} from resource r left join data_key k on k.owner = r.key_owner
        where r.resource_type = ${type} and r.id = ${id}`,
    ).compile(database.db as Kysely<unknown>);
    if (JSON.stringify(compiled.parameters) !== JSON.stringify(values))
      throw new AppError('internal', 'The read statement does not take the parameters it is given');
    readText = compiled.sql;
  }
  return (await driver.pool.query<StoredRow>({ name: readName, text: readText, values })).rows[0];
}

const readName = 'records_read_current';
let readText: string | undefined;
