import { sql, type Kysely } from 'kysely';
import { rootFromLeafHashes, type MerkleNodeReader, type NodeId } from '../merkle/index.ts';
import type { EntryColumns } from './entry.ts';

/** Node hashes below this level are folded from leaf hashes on demand (at most 2^7 = 128 of them). */
export const STORED_NODE_MIN_LEVEL = 8;

export type LedgerDb = Kysely<unknown>;

export interface StoredEntryRow extends EntryColumns {
  entry: string;
  leafHash: Uint8Array;
}

export interface StoredNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
const bytesOf = (value: unknown): Uint8Array =>
  value instanceof Uint8Array ? value : Buffer.from(String(value).replace(/^\\x/, ''), 'hex');

/** Number of entries: the next index. Reads the primary key's last entry only. */
export async function readLedgerSize(db: LedgerDb): Promise<number> {
  const { rows } = await sql<{ size: number }>`
    select coalesce((select seq from audit_entry order by seq desc limit 1) + 1, 0)::float8 as size`.execute(
    db,
  );
  return Number(rows[0]?.size ?? 0);
}

/**
 * A batch's entries and completed nodes in one statement, so a batch of any size costs one round trip.
 * The rows travel as one JSON document (`JSON.stringify` is native; pg's array literals escaped each
 * entry's text in JavaScript and cost more than building the entries), the few nodes as arrays.
 *
 * With `expectedSize`, the statement first takes the append lock and checks the ledger's size
 * (`audit_lock_expecting`, failing with SIZE_MISMATCH), so it can run on its own as one autocommit
 * transaction: lock, check, insert and commit in a single round trip.
 */
export async function insertBatch(
  db: LedgerDb,
  rows: readonly StoredEntryRow[],
  nodes: readonly StoredNode[],
  expectedSize?: number,
): Promise<void> {
  if (rows.length === 0) return;
  const document = JSON.stringify(
    rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      entry: r.entry,
      leaf_hash: hex(r.leafHash),
      patient_id: r.patient_id,
      subject: r.subject,
      institution: r.institution,
      action: r.action,
      category: r.category,
      purpose: r.purpose,
      outcome: r.outcome,
      break_glass: r.break_glass,
      request_id: r.request_id,
    })),
  );
  // Both inserts read the materialized lock row, so neither writes before the lock is held and checked.
  const lock =
    expectedSize === undefined
      ? sql`select 0 as size`
      : sql`select audit_lock_expecting(${expectedSize}) as size`;
  await sql`
    with lock as materialized (${lock}),
    nodes as (
      insert into audit_node (level, idx, hash)
      select level, idx, decode(hash, 'hex')
      from lock, unnest(${nodes.map((n) => n.level)}::smallint[], ${nodes.map((n) => n.index)}::bigint[],
                  ${nodes.map((n) => hex(n.hash))}::text[]) as u(level, idx, hash)
    )
    insert into audit_entry (seq, at, entry, leaf_hash, patient_id, subject, institution, action, category,
                             purpose, outcome, break_glass, request_id)
    select seq, at, entry, decode(leaf_hash, 'hex'), patient_id, subject, institution, action, category,
           purpose, outcome, break_glass, request_id
    from lock, json_to_recordset(${document}::json)
      as r(seq bigint, at timestamptz, entry text, leaf_hash text, patient_id text, subject text,
           institution text, action text, category text, purpose text, outcome text, break_glass boolean,
           request_id text)`.execute(db);
}

export async function readLeafHashes(db: LedgerDb, start: number, end: number): Promise<Uint8Array[]> {
  if (end <= start) return [];
  const { rows } = await sql<{ leaf_hash: unknown }>`
    select leaf_hash from audit_entry where seq >= ${start} and seq < ${end} order by seq`.execute(db);
  return rows.map((r) => bytesOf(r.leaf_hash));
}

/**
 * The statement behind `readEntryPage`. It orders by the table's column: the output's `seq` is a float8
 * (JavaScript numbers), and ordering by that alias would sort the whole table instead of walking the index.
 */
export function entryPageQuery(fromSeq: number, limit: number) {
  return sql<Record<string, unknown>>`
    select seq::float8 as seq, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, entry, leaf_hash, patient_id, subject, institution, action, category, purpose,
           outcome, break_glass, request_id
    from audit_entry where seq >= ${fromSeq} order by audit_entry.seq limit ${limit}`;
}

/** Entries in index order from `fromSeq`, for verification and replication. */
export async function readEntryPage(db: LedgerDb, fromSeq: number, limit: number): Promise<StoredEntryRow[]> {
  const { rows } = await entryPageQuery(fromSeq, limit).execute(db);
  return rows.map((r) => ({
    seq: Number(r.seq),
    // Formatted by the server exactly as the entry's own ISO string: cheaper than parsing a timestamp per row.
    at: r.at as string,
    entry: r.entry as string,
    leafHash: bytesOf(r.leaf_hash),
    patient_id: r.patient_id as string | null,
    subject: r.subject as string | null,
    institution: r.institution as string | null,
    action: r.action as string,
    category: r.category as string | null,
    purpose: r.purpose as string | null,
    outcome: r.outcome as string,
    break_glass: r.break_glass as boolean,
    request_id: r.request_id as string,
  }));
}

export async function readAllStoredNodes(db: LedgerDb): Promise<StoredNode[]> {
  const { rows } = await sql<{ level: number; idx: number; hash: unknown }>`
    select level, idx::float8 as idx, hash from audit_node order by audit_node.level, audit_node.idx`.execute(
    db,
  );
  return rows.map((r) => ({ level: Number(r.level), index: Number(r.idx), hash: bytesOf(r.hash) }));
}

/**
 * Serves perfect-subtree hashes for proofs and past roots: stored rows for high levels, a fold over at
 * most 128 leaf hashes for low ones. Fails rather than omit a node.
 */
export function ledgerNodeReader(db: LedgerDb): MerkleNodeReader {
  return {
    async getNodeHashes(ids: readonly NodeId[]) {
      const stored = ids.filter((id) => id.level >= STORED_NODE_MIN_LEVEL);
      const found = new Map<string, Uint8Array>();
      if (stored.length > 0) {
        const { rows } = await sql<{ level: number; idx: number; hash: unknown }>`
          select level, idx::float8 as idx, hash from audit_node
          where (level, idx) in (${sql.join(stored.map((id) => sql`(${id.level}::smallint, ${id.index}::bigint)`))})`.execute(
          db,
        );
        for (const r of rows) found.set(`${Number(r.level)}:${Number(r.idx)}`, bytesOf(r.hash));
      }
      const hashes: Uint8Array[] = [];
      for (const id of ids) {
        if (id.level >= STORED_NODE_MIN_LEVEL) {
          const hash = found.get(`${id.level}:${id.index}`);
          if (!hash) throw new RangeError(`ledger node (${id.level}, ${id.index}) is not stored`);
          hashes.push(hash);
          continue;
        }
        const start = id.index * 2 ** id.level;
        const end = start + 2 ** id.level;
        const leaves = await readLeafHashes(db, start, end);
        if (leaves.length !== end - start)
          throw new RangeError(`ledger leaves [${start}, ${end}) are incomplete`);
        hashes.push(rootFromLeafHashes(leaves));
      }
      return hashes;
    },
  };
}
