import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context/index.ts';
import { EMBEDDED_APP_ROLE, type Database } from '../../../platform/db/index.ts';
import { AppError } from '../../../platform/errors/index.ts';
import type { Logger } from '../../../platform/logging/index.ts';
import type { AuditEvent, AuditLog } from '../audit-log.ts';
import { CompactMerkleTree, leafHash, type MerkleNodeReader } from '../merkle/index.ts';
import { buildEntry, entryColumns, serializeEntry } from './entry.ts';
import { GroupCommitter } from './group-commit.ts';
import { SIZE_MISMATCH } from './migrations.ts';
import {
  STORED_NODE_MIN_LEVEL,
  insertBatch,
  ledgerNodeReader,
  readLedgerSize,
  type StoredEntryRow,
  type StoredNode,
} from './ledger-store.ts';

export interface AuditLedgerOptions {
  database: Database;
  logger: Logger;
  /** Entries per transaction at most (default 1,000). 1 gives one commit (fsync) per entry. */
  maxBatch?: number;
  /** How long the first entry of a batch waits for others (default 1 ms). */
  maxDelayMs?: number;
  now?: () => Date;
}

export interface CommittedBatch {
  rows: readonly StoredEntryRow[];
  /** Tree size and root just after this batch. */
  size: number;
  root: Uint8Array;
}

export interface AuditLedger extends AuditLog {
  /** Entries committed so far by any process. */
  size(): Promise<number>;
  /** Reads perfect-subtree hashes for proofs and past roots. */
  readonly nodeReader: MerkleNodeReader;
  /** Told after each committed batch (checkpointing, replication). Returns an unsubscribe function. */
  onCommit(listener: (batch: CommittedBatch) => void): () => void;
  /** Waits until every append submitted so far has settled. */
  flush(): Promise<void>;
  /** Refuses new appends and commits those already submitted. */
  close(): Promise<void>;
}

interface PendingAppend {
  ctx: RequestContext;
  event: AuditEvent;
  at: Date;
}

const encoder = new TextEncoder();

/**
 * The tamper-evident ledger's write side. Appends are group-committed: each batch is one transaction
 * that takes the append lock, reads the current size, and inserts the entries plus their completed
 * Merkle nodes; every `append` resolves with its index only after that commit (fail closed otherwise).
 * On PostgreSQL a batch built on the tree this process last wrote is one autocommit statement that also
 * checks the size under the lock (one round trip); a mismatch (another process appended, or the first
 * batch after start) writes nothing and the batch takes the transaction that reloads the tree.
 */
export function createAuditLedger(options: AuditLedgerOptions): AuditLedger {
  const { database, logger } = options;
  const db = database.db as Kysely<unknown>;
  const now = options.now ?? (() => new Date());
  const listeners = new Set<(batch: CommittedBatch) => void>();
  let tree = new CompactMerkleTree();
  let closed = false;

  /** The batch's rows and completed nodes on top of `base` (a tree of `base.size` entries). */
  function prepare(items: PendingAppend[], base: CompactMerkleTree) {
    const nodes: StoredNode[] = [];
    const working = new CompactMerkleTree({
      frontier: base.frontier(),
      onNode: (level, index, hash) => {
        if (level >= STORED_NODE_MIN_LEVEL) nodes.push({ level, index, hash });
      },
    });
    const rows: StoredEntryRow[] = items.map((item, offset) => {
      const entry = buildEntry(item.ctx, item.event, base.size + offset, item.at);
      const text = serializeEntry(entry);
      const hash = leafHash(encoder.encode(text));
      working.appendLeafHash(hash);
      return { ...entryColumns(entry), entry: text, leafHash: hash };
    });
    return { rows, nodes, working };
  }

  /**
   * PostgreSQL, when this process wrote the last batch (the usual case): one autocommit statement that
   * locks, checks the size it built on, inserts and commits. Undefined when another process appended
   * meanwhile (nothing was written); the caller then takes the transactional path.
   */
  async function commitOnKnownTree(items: PendingAppend[]) {
    if (database.kind !== 'postgres') return undefined;
    const prepared = prepare(items, tree);
    try {
      await insertBatch(db, prepared.rows, prepared.nodes, tree.size);
      return prepared;
    } catch (error) {
      if ((error as { code?: unknown }).code === SIZE_MISMATCH) return undefined;
      throw error;
    }
  }

  async function commitBatch(items: PendingAppend[]): Promise<{ index: number }[]> {
    let next: CompactMerkleTree | undefined;
    let rows: StoredEntryRow[] = [];
    const fast = await commitOnKnownTree(items);
    if (fast) {
      rows = fast.rows;
      next = fast.working;
    } else {
      await db.transaction().execute(async (trx) => {
        if (database.kind === 'pglite')
          await sql`select set_config('role', ${EMBEDDED_APP_ROLE}, true)`.execute(trx);
        const { rows: locked } = await sql<{
          size: number;
        }>`select audit_lock_for_append()::float8 as size`.execute(trx);
        const size = Number(locked[0]?.size ?? 0);
        // Another process appended since our last batch (or this is the first): resume from the store.
        const base =
          size === tree.size ? tree : await CompactMerkleTree.fromNodeReader(size, ledgerNodeReader(trx));
        const prepared = prepare(items, base);
        await insertBatch(trx, prepared.rows, prepared.nodes);
        rows = prepared.rows;
        next = prepared.working;
      });
    }
    tree = next as unknown as CompactMerkleTree;
    const batch: CommittedBatch = { rows, size: tree.size, root: tree.root() };
    for (const listener of listeners) {
      try {
        listener(batch);
      } catch (error) {
        logger.error({ err: error }, 'audit commit listener failed');
      }
    }
    return rows.map((row) => ({ index: row.seq }));
  }

  const committer = new GroupCommitter<PendingAppend, { index: number }>(
    async (items) => {
      try {
        return await commitBatch(items);
      } catch (error) {
        logger.error({ err: error, entries: items.length }, 'audit append failed; requests fail closed');
        throw new AppError('unavailable', 'The audit ledger is unavailable; the request was not performed.', {
          reason: 'audit_unavailable',
          cause: error,
        });
      }
    },
    { maxBatch: options.maxBatch ?? 1_000, maxDelayMs: options.maxDelayMs ?? 1 },
  );

  return {
    append(ctx, event) {
      if (closed) {
        return Promise.reject(
          new AppError('unavailable', 'The audit ledger is closed.', { reason: 'audit_closed' }),
        );
      }
      return committer.submit({ ctx, event, at: now() });
    },
    size: () => readLedgerSize(db),
    nodeReader: ledgerNodeReader(db),
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush: () => committer.flush(),
    async close() {
      closed = true;
      await committer.flush();
    },
  };
}
