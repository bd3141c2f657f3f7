// The merkle files this needs, not its index: worker threads load (and compile) only what they run.
import { HASH_SIZE, leafHashInto } from '../merkle/hashing.ts';
import { foldLevels } from '../merkle/subtree-levels.ts';
import { COPIED, COPIED_COLUMNS, CopiedRows, bytesEqual } from '../ledger/copied-rows.ts';
import { entryColumns, parseEntry, type EntryColumns } from '../ledger/entry.ts';
import { entryMatchesRow } from './entry-match.ts';
import type { LeafSegment } from '../publish/checkpoint-store.ts';

/**
 * The per-entry half of `verify`, free of shared state so that worker threads can run it on whole pages:
 * hash each stored entry as a Merkle leaf and check it against its stored leaf hash, the leaf hash
 * published with the checkpoints, its own index, and the index columns stored beside it; then fold the
 * page's leaf hashes into every perfect subtree inside it. Joining pages into the tree (and checking the
 * checkpoint roots and stored nodes) stays with the caller, in ledger order.
 */

export interface VerifyFailure {
  kind: 'entry' | 'checkpoint' | 'node';
  /** The entry (leaf index) that fails, when one can be named. */
  index?: number;
  /** The checkpoint (tree size) that fails. */
  checkpoint?: number;
  message: string;
}

/** Leaf hashes published with the checkpoints, by entry index; shareable between threads. */
export interface PublishedLeaves {
  /** `size` × 32 bytes; the hash of leaf p at p × 32. */
  hashes: Uint8Array;
  /** 1 where a published hash exists. */
  covered: Uint8Array;
}

const sharedBytes = (length: number): Uint8Array =>
  typeof SharedArrayBuffer === 'function'
    ? new Uint8Array(new SharedArrayBuffer(length))
    : new Uint8Array(length);

/**
 * Lays the published segments out by index, for entries below `size` (the ledger's own size: nothing
 * beyond it can be compared). Where segments overlap the first one listed wins; a segment whose length
 * contradicts its range publishes nothing.
 */
export function publishedLeaves(segments: readonly LeafSegment[], size: number): PublishedLeaves {
  const valid = segments.filter(
    (s) => s.start >= 0 && s.end > s.start && s.hashes.length === (s.end - s.start) * HASH_SIZE,
  );
  const limit = Math.min(size, Math.max(0, ...valid.map((s) => s.end)));
  const published = { hashes: sharedBytes(limit * HASH_SIZE), covered: sharedBytes(limit) };
  for (const s of valid) {
    for (let p = s.start; p < Math.min(s.end, limit); p++) {
      if (published.covered[p]) continue;
      published.covered[p] = 1;
      const from = (p - s.start) * HASH_SIZE;
      published.hashes.set(s.hashes.subarray(from, from + HASH_SIZE), p * HASH_SIZE);
    }
  }
  return published;
}

export interface RowFailure {
  /** The row's position in its page. */
  row: number;
  failure: VerifyFailure;
}

export interface CheckedPage {
  /** The entries' indexes, in page order. */
  seqs: Float64Array;
  /**
   * The page's perfect subtrees (`foldLevels`): `levels[0]` holds one recomputed leaf hash per row,
   * `levels[L]` the hashes of each 2^L rows. Each level is its own buffer (transferable).
   */
  levels: Uint8Array[];
  /** Per-entry failures, in row order. */
  failures: RowFailure[];
}

type Column = Exclude<keyof EntryColumns, 'seq'>;
/** The index columns: every copied column after seq, entry and leaf_hash. */
const COLUMNS = COPIED_COLUMNS.slice(3) as readonly Column[];

function columnMatches(rows: CopiedRows, column: Column, columns: EntryColumns): boolean {
  switch (column) {
    case 'at':
      return rows.timestampMs(COPIED.at) === Date.parse(columns.at);
    case 'break_glass':
      return !rows.isNull(COPIED.break_glass) && rows.boolean(COPIED.break_glass) === columns.break_glass;
    default:
      return rows.textEquals(COPIED[column], columns[column]);
  }
}

/** Checks every entry of one copied page (see `copyEntryPage`). */
export function checkEntryPage(page: Uint8Array, published: PublishedLeaves): CheckedPage {
  const rows = new CopiedRows(page);
  const bytes = rows.bytes;
  let seqs = new Float64Array(1024);
  let hashes = new Uint8Array(seqs.length * HASH_SIZE);
  const failures: RowFailure[] = [];
  const fail = (row: number, index: number, message: string) =>
    failures.push({ row, failure: { kind: 'entry', index, message } });
  let row = 0;
  for (; rows.next(); row++) {
    if (row === seqs.length) {
      const grown = new Float64Array(2 * seqs.length);
      grown.set(seqs);
      seqs = grown;
      const grownHashes = new Uint8Array(grown.length * HASH_SIZE);
      grownHashes.set(hashes);
      hashes = grownHashes;
    }
    const p = rows.int8(COPIED.seq);
    seqs[row] = p;
    const entryStart = rows.start[COPIED.entry] as number;
    const entryEnd = rows.end[COPIED.entry] as number;
    const at = row * HASH_SIZE;
    leafHashInto(bytes, entryStart, Math.max(entryStart, entryEnd), hashes, at);
    const storedStart = rows.start[COPIED.leaf_hash] as number;
    const storedEnd = rows.end[COPIED.leaf_hash] as number;
    if (storedEnd - storedStart !== HASH_SIZE || !bytesEqual(hashes, at, bytes, storedStart, HASH_SIZE)) {
      fail(row, p, `entry ${p}: its bytes do not match its stored leaf hash (edited)`);
    }
    const isPublished = published.covered[p] === 1;
    const asPublished = isPublished && bytesEqual(hashes, at, published.hashes, p * HASH_SIZE, HASH_SIZE);
    if (isPublished && !asPublished) {
      fail(
        row,
        p,
        `entry ${p}: differs from the leaf hash published with the checkpoints (edited, moved or replaced)`,
      );
    }
    // Bytes identical to the published ones are canonical JSON: compare the columns in place.
    if (asPublished && entryMatchesRow(rows, p)) continue;
    const entry = entryEnd === -1 ? undefined : parseEntry(bytes.toString('utf8', entryStart, entryEnd));
    if (!entry) {
      fail(row, p, `entry ${p}: not a complete entry (partially written or corrupted)`);
    } else if (entry.index !== p) {
      fail(row, p, `entry stored at ${p} is entry ${entry.index} (moved or swapped)`);
    } else {
      const columns = entryColumns(entry);
      if (!COLUMNS.every((c) => columnMatches(rows, c, columns))) {
        const bad = COLUMNS.filter((c) => !columnMatches(rows, c, columns));
        fail(row, p, `entry ${p}: indexed columns ${bad.join(', ')} do not match the entry`);
      }
    }
  }
  // Own buffers (not views of the grown ones), so that each level can be moved to another thread.
  return { seqs: seqs.slice(0, row), levels: foldLevels(hashes.slice(0, row * HASH_SIZE), row), failures };
}
