import os from 'node:os';
import type { Kysely } from 'kysely';
import type { ObjectStorage } from '../../../platform/storage/index.ts';
import { isCheckpointError, verifyCheckpoint, type NoteVerifier } from '../checkpoint/index.ts';
import {
  CompactMerkleTree,
  HASH_SIZE,
  hashesEqual,
  leadingSubtrees,
  rootOfSubtrees,
} from '../merkle/index.ts';
import { copyEntryPage } from '../ledger/entry-copy.ts';
import { STORED_NODE_MIN_LEVEL, readAllStoredNodes, readLedgerSize } from '../ledger/ledger-store.ts';
import { listCheckpointSizes, readCheckpointNote, readLeafSegments } from '../publish/checkpoint-store.ts';
import { publishedLeaves, type CheckedPage, type RowFailure, type VerifyFailure } from './entry-check.ts';
import { createEntryChecker, pageBuffer, type CheckResult, type EntryChecker } from './entry-check-pool.ts';

export type { VerifyFailure } from './entry-check.ts';

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
  /** Entries per page read from the database: a power of two (default 16,384). */
  pageSize?: number;
  /**
   * Worker threads that hash and check pages while the next ones are read (0: in the calling thread).
   * Default: one per CPU (at most 4) when the ledger spans more than two pages, else 0.
   */
  threads?: number;
  maxFailures?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Checked pages in ledger order. Reads run `depth` pages ahead, each starting where the previous page
 * ends when indexes are contiguous (they are unless entries were deleted); a page read from the wrong
 * place is read again from the right one.
 */
async function* checkedPages(
  db: Kysely<unknown>,
  checker: EntryChecker,
  pageSize: number,
  depth: number,
): AsyncGenerator<CheckedPage> {
  const ahead: { from: number; page: Promise<CheckResult> }[] = [];
  /** Buffers that held checked pages, to read later pages into: ~1 KiB per entry to start with. */
  const spares = Array.from({ length: depth }, () => pageBuffer(pageSize * 1024));
  const settle = async () => {
    for (const result of await Promise.allSettled(ahead.splice(0).map((a) => a.page))) {
      if (result.status === 'fulfilled') spares.push(result.value.spare);
    }
  };
  let next = 0;
  let predicted = 0;
  try {
    for (;;) {
      while (ahead.length < depth) {
        const from = predicted;
        predicted += pageSize;
        const page = copyEntryPage(db, from, pageSize, spares.pop()).then((bytes) => checker.check(bytes));
        page.catch(() => {}); // awaited in order below
        ahead.push({ from, page });
      }
      const head = ahead.shift() as (typeof ahead)[number];
      const { checked: page, spare } = await head.page;
      spares.push(spare);
      if (head.from !== next) {
        await settle();
        predicted = next;
        continue;
      }
      yield page;
      const count = page.seqs.length;
      if (count < pageSize) return;
      next = (page.seqs[count - 1] as number) + 1;
    }
  } finally {
    await settle();
  }
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
  const pageSize = options.pageSize ?? 16_384;
  // Page k then holds leaves [k · pageSize, …): whole subtrees of the log, folded where the page is checked.
  if (!Number.isSafeInteger(pageSize) || !Number.isInteger(Math.log2(pageSize))) {
    throw new RangeError('the verify page size is a power of two');
  }
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
  const total = await readLedgerSize(db);
  const threads = options.threads ?? (total > 2 * pageSize ? Math.min(4, os.availableParallelism()) : 0);
  const checker = createEntryChecker(threads, publishedLeaves(await readLeafSegments(storage), total));
  const storedNodes = new Map<string, Uint8Array>();
  for (const node of await readAllStoredNodes(db)) storedNodes.set(`${node.level}:${node.index}`, node.hash);
  let nodeFailureReported = false;
  const checkNode = (level: number, index: number, hash: Uint8Array) => {
    if (level < STORED_NODE_MIN_LEVEL || nodeFailureReported) return;
    const stored = storedNodes.get(`${level}:${index}`);
    if (!stored || !hashesEqual(stored, hash)) {
      nodeFailureReported = true;
      fail({
        kind: 'node',
        message: `stored proof node (${level}, ${index}) ${stored ? 'differs from' : 'is missing for'} the recomputed tree`,
      });
    }
  };
  const tree = new CompactMerkleTree({ onNode: checkNode });
  const checkpointSizes = [...roots.keys()].sort((a, b) => a - b);
  let nextCheckpoint = 0;

  let expected = 0;
  const minWidth = 2 ** STORED_NODE_MIN_LEVEL;
  /**
   * Joins a checked page to the tree in ledger order. The page holds leaves [start, start + rows) with
   * start a multiple of the page size, so its subtrees append whole. Failures come in the order a leaf by
   * leaf fold meets them, whatever the page size: each row's own, then the stored nodes it completes, then
   * the checkpoint at the size it reaches.
   */
  const foldPage = ({ seqs, levels, failures: rowFailures }: CheckedPage) => {
    const start = tree.size;
    const rows = seqs.length;
    let f = 0;
    for (let row = 0; row < rows; row++) {
      const p = seqs[row] as number;
      if (p !== expected) {
        fail({
          kind: 'entry',
          index: expected,
          message:
            p > expected ? `entries ${expected}..${p - 1} are missing (deleted)` : `entry ${p} appears twice`,
        });
      }
      expected = p + 1;
      while (f < rowFailures.length && rowFailures[f]?.row === row)
        fail((rowFailures[f++] as RowFailure).failure);
      const size = start + row + 1;
      for (let level = STORED_NODE_MIN_LEVEL, width = minWidth; size % width === 0; level++, width *= 2) {
        const hashes = levels[level];
        if (!hashes) break; // above the page: completed below, as the page joins the tree
        const at = ((row + 1) / width - 1) * HASH_SIZE;
        checkNode(level, size / width - 1, hashes.subarray(at, at + HASH_SIZE));
      }
      if (row === rows - 1) {
        for (const piece of leadingSubtrees(levels, rows)) tree.appendSubtree(piece.level, piece.hash);
      }
      if (size !== checkpointSizes[nextCheckpoint]) continue;
      nextCheckpoint += 1;
      const root =
        row === rows - 1
          ? tree.root()
          : rootOfSubtrees([
              ...tree.frontier().hashes,
              ...leadingSubtrees(levels, row + 1).map((p) => p.hash),
            ]);
      if (!hashesEqual(roots.get(size) as Uint8Array, root)) {
        fail({
          kind: 'checkpoint',
          checkpoint: size,
          message: `checkpoint at size ${size}: the ledger's first ${size} entries no longer have the signed root`,
        });
      }
    }
  };

  try {
    for await (const page of checkedPages(db, checker, pageSize, Math.max(2, threads + 1))) {
      foldPage(page);
      options.onProgress?.(expected, total);
    }
  } finally {
    await checker.close();
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
