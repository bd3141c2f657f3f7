import { sql, type Kysely, type RawBuilder } from 'kysely';
import { parseEntry, type AuditEntry } from '../ledger/entry.ts';

/** Filters of every ledger query; each maps to an indexed column so no query scans the whole log. */
export interface LedgerQuery {
  patient?: string | undefined;
  subject?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  purpose?: string | undefined;
  outcome?: string | undefined;
  category?: string | undefined;
  excludeCategory?: string | undefined;
  breakGlass?: boolean | undefined;
  /** Leave out entries whose actor holds any of these roles (e.g. the patient's own accesses). */
  excludeActorRoles?: readonly string[] | undefined;
  /** Keyset cursor: only entries older (lower index) than this. */
  before?: number | undefined;
  limit: number;
}

export interface LedgerPage {
  entries: AuditEntry[];
  /** Cursor for the next (older) page, when there is one. */
  next: number | undefined;
}

/**
 * The statement behind `queryLedger`: newest first by the table's column (ordering by the float8 alias
 * would sort every matching entry instead of reading the index backwards), one row beyond the page.
 */
export function ledgerQueryStatement(query: LedgerQuery) {
  const conditions: RawBuilder<unknown>[] = [];
  if (query.patient !== undefined) conditions.push(sql`patient_id = ${query.patient}`);
  if (query.subject !== undefined) conditions.push(sql`subject = ${query.subject}`);
  if (query.from !== undefined) conditions.push(sql`at >= ${query.from.toISOString()}::timestamptz`);
  if (query.to !== undefined) conditions.push(sql`at <= ${query.to.toISOString()}::timestamptz`);
  if (query.purpose !== undefined) conditions.push(sql`purpose = ${query.purpose}`);
  if (query.outcome !== undefined) conditions.push(sql`outcome = ${query.outcome}`);
  if (query.category !== undefined) conditions.push(sql`category = ${query.category}`);
  if (query.excludeCategory !== undefined) {
    conditions.push(sql`category is distinct from ${query.excludeCategory}`);
  }
  if (query.breakGlass !== undefined)
    conditions.push(query.breakGlass ? sql`break_glass` : sql`not break_glass`);
  if (query.before !== undefined) conditions.push(sql`seq < ${query.before}`);
  if (query.excludeActorRoles && query.excludeActorRoles.length > 0) {
    conditions.push(
      sql`not ((entry::jsonb -> 'actor' -> 'roles') ?| ${[...query.excludeActorRoles]}::text[])`,
    );
  }
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  return sql<{ seq: number; entry: string }>`
    select seq::float8 as seq, entry from audit_entry ${where} order by audit_entry.seq desc limit ${query.limit + 1}`;
}

/** Newest first, `limit` at a time. */
export async function queryLedger(db: Kysely<unknown>, query: LedgerQuery): Promise<LedgerPage> {
  const { rows } = await ledgerQueryStatement(query).execute(db);
  const page = rows.slice(0, query.limit);
  const entries = page.map((r) => parseEntry(r.entry)).filter((e): e is AuditEntry => e !== undefined);
  return { entries, next: rows.length > query.limit ? Number(page.at(-1)?.seq) : undefined };
}
