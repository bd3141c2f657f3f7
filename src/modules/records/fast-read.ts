import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import { callerSettings, inCallerTransaction, type Database } from '../../platform/db/index.ts';
import { rowColumns, selectCurrent, type StoredRow } from './store.ts';

/**
 * A primary-key read in one round trip on PostgreSQL: one autocommit statement applies the caller's
 * transaction-local settings in a materialized CTE and reads the row in a LATERAL subquery that depends on
 * it (`offset 0` keeps the planner from flattening it), so the row-level security policy is evaluated after
 * the settings exist, and `is_local` settings end
 * with the statement's implicit transaction (nothing leaks to the pooled connection). PGlite keeps the
 * transaction: its caller role switch must happen before planning, which one statement cannot do.
 */
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
  const settings = callerSettings(ctx).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  const result = await sql<StoredRow>`
    with caller as materialized (select concat(${sql.join(settings)}) as applied)
    select x.* from caller cross join lateral (
      select ${rowColumns} from resource r left join data_key k on k.owner = r.key_owner
      where r.resource_type = ${type} and r.id = ${id} and caller.applied is not null
      offset 0
    ) x`.execute(database.db as Kysely<unknown>);
  return result.rows[0];
}
