import type { Kysely } from 'kysely';
import type { ObjectStorage } from '../../../platform/storage/index.ts';
import { isCheckpointError, verifyCheckpoint, type NoteVerifier } from '../checkpoint/index.ts';
import { CompactMerkleTree, HASH_SIZE, hashesEqual, leafHash } from '../merkle/index.ts';
import { entryColumns, parseEntry, type EntryColumns } from '../ledger/entry.ts';
import {
  STORED_NODE_MIN_LEVEL,
  readAllStoredNodes,
  readEntryPage,
  readLedgerSize,
  type StoredEntryRow,
} from '../ledger/ledger-store.ts';
import {
  listCheckpointSizes,
  readCheckpointNote,
  readLeafSegments,
  type LeafSegment,
} from '../publish/checkpoint-store.ts';

export interface VerifyFailure {
  kind: 'entry' | 'checkpoint' | 'node';
  /** The entry (leaf index) that fails, when one can be named. */
  index?: number;
  /** The checkpoint (tree size) that fails. */
  checkpoint?: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  /** Base64 root of the recomputed tree. */
  root: string;
  failures: VerifyFailure[];
  /** Failures beyond `maxFailures` are counted, not listed. */
  omittedFailures: number;
  durationMs: number;
}

export interface VerifyOptions {
  db: Kysely<unknown>;
  storage: ObjectStorage;
  verifier: NoteVerifier;
  pageSize?: number;
  maxFailures?: number;
  onProgress?: (done: number, total: number) => void;
}

const encoder = new TextEncoder();
const COLUMNS: (keyof EntryColumns)[] = [
  'at',
  'patient_id',
  'subject',
  'institution',
  'action',
  'category',
  'purpose',
  'outcome',
  'break_glass',
  'request_id',
];

/** Walks leaf segments in order and answers "which published hash covers leaf p", if any. */
function segmentCursor(segments: readonly LeafSegment[]) {
  let i = 0;
  return (p: number): Uint8Array | undefined => {
    while (i < segments.length && (segments[i] as LeafSegment).end <= p) i += 1;
    const s = segments[i];
    if (!s || s.start > p || s.hashes.length !== (s.end - s.start) * HASH_SIZE) return undefined;
    const off = (p - s.start) * HASH_SIZE;
    return s.hashes.subarray(off, off + HASH_SIZE);
  };
}

/**
 * Recomputes the Merkle tree over the whole stored log and checks it against every signed checkpoint
 * in object storage and every published leaf hash, naming each entry or checkpoint that fails: edited
 * bytes, an edit with a recomputed tree, a deleted, moved or swapped entry, a truncated tail, a rolled
 * back copy, a torn last record, or tampered index columns.
 */
export async function verifyLedger(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const { db, storage, verifier } = options;
  const maxFailures = options.maxFailures ?? 100;
  const failures: VerifyFailure[] = [];
  let omitted = 0;
  const fail = (failure: VerifyFailure) => {
    if (failures.length < maxFailures) failures.push(failure);
    else omitted += 1;
  };

  const roots = new Map<number, Uint8Array>();
  const sizes = await listCheckpointSizes(storage);
  for (const size of sizes) {
    try {
      const checkpoint = verifyCheckpoint(await readCheckpointNote(storage, size), verifier);
      if (checkpoint.size !== size) {
        fail({
          kind: 'checkpoint',
          checkpoint: size,
          message: `checkpoint stored as size ${size} claims size ${checkpoint.size}`,
        });
      } else {
        roots.set(size, checkpoint.rootHash);
      }
    } catch (error) {
      const why = isCheckpointError(error) ? error.failure : 'unreadable';
      fail({
        kind: 'checkpoint',
        checkpoint: size,
        message: `checkpoint at size ${size} does not verify (${why})`,
      });
    }
  }
  const publishedLeaf = segmentCursor(await readLeafSegments(storage));
  const storedNodes = new Map<string, Uint8Array>();
  for (const node of await readAllStoredNodes(db)) storedNodes.set(`${node.level}:${node.index}`, node.hash);
  let nodeFailureReported = false;

  const tree = new CompactMerkleTree({
    onNode: (level, index, hash) => {
      if (level < STORED_NODE_MIN_LEVEL || nodeFailureReported) return;
      const stored = storedNodes.get(`${level}:${index}`);
      if (!stored || !hashesEqual(stored, hash)) {
        nodeFailureReported = true;
        fail({
          kind: 'node',
          message: `stored proof node (${level}, ${index}) ${stored ? 'differs from' : 'is missing for'} the recomputed tree`,
        });
      }
    },
  });

  const total = await readLedgerSize(db);
  const pageSize = options.pageSize ?? 10_000;
  let expected = 0;
  const checkRow = (row: StoredEntryRow) => {
    const p = row.seq;
    if (p !== expected) {
      fail({
        kind: 'entry',
        index: expected,
        message:
          p > expected ? `entries ${expected}..${p - 1} are missing (deleted)` : `entry ${p} appears twice`,
      });
    }
    expected = p + 1;
    const hash = leafHash(encoder.encode(row.entry));
    if (!hashesEqual(hash, row.leafHash)) {
      fail({
        kind: 'entry',
        index: p,
        message: `entry ${p}: its bytes do not match its stored leaf hash (edited)`,
      });
    }
    const published = publishedLeaf(p);
    if (published && !hashesEqual(published, hash)) {
      fail({
        kind: 'entry',
        index: p,
        message: `entry ${p}: differs from the leaf hash published with the checkpoints (edited, moved or replaced)`,
      });
    }
    const entry = parseEntry(row.entry);
    if (!entry) {
      fail({
        kind: 'entry',
        index: p,
        message: `entry ${p}: not a complete entry (partially written or corrupted)`,
      });
    } else if (entry.index !== p) {
      fail({
        kind: 'entry',
        index: p,
        message: `entry stored at ${p} is entry ${entry.index} (moved or swapped)`,
      });
    } else {
      const columns = entryColumns(entry);
      const bad = COLUMNS.filter((c) => columns[c] !== row[c]);
      if (bad.length > 0) {
        fail({
          kind: 'entry',
          index: p,
          message: `entry ${p}: indexed columns ${bad.join(', ')} do not match the entry`,
        });
      }
    }
    tree.appendLeafHash(hash);
    const root = roots.get(tree.size);
    if (root && !hashesEqual(root, tree.root())) {
      fail({
        kind: 'checkpoint',
        checkpoint: tree.size,
        message: `checkpoint at size ${tree.size}: the ledger's first ${tree.size} entries no longer have the signed root`,
      });
    }
  };

  for (let from = 0; ;) {
    const page = await readEntryPage(db, from, pageSize);
    if (page.length === 0) break;
    for (const row of page) checkRow(row);
    from = (page.at(-1) as StoredEntryRow).seq + 1;
    options.onProgress?.(from, total);
  }

  for (const size of sizes) {
    if (size > tree.size) {
      fail({
        kind: 'checkpoint',
        checkpoint: size,
        index: tree.size,
        message: `checkpoint at size ${size} is beyond the ledger's ${tree.size} entries: entries ${tree.size}..${size - 1} were truncated or an older copy was restored`,
      });
    }
  }
  const count = failures.length + omitted;
  return {
    ok: count === 0,
    entries: tree.size,
    checkpoints: sizes.length,
    root: Buffer.from(tree.root()).toString('base64'),
    failures,
    omittedFailures: omitted,
    durationMs: performance.now() - started,
  };
}
