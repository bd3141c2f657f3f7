import type { Kysely } from 'kysely';
import type { Logger } from '../../../platform/logging/index.ts';
import type { ObjectStorage } from '../../../platform/storage/index.ts';
import { signCheckpoint, type NoteSigner } from '../checkpoint/index.ts';
import { rootAtSize } from '../merkle/index.ts';
import type { AuditLedger } from '../ledger/audit-ledger.ts';
import { readLedgerSize, readLeafHashes } from '../ledger/ledger-store.ts';
import { listCheckpointSizes, readCheckpointNote, saveCheckpoint } from './checkpoint-store.ts';

export interface CheckpointerOptions {
  ledger: AuditLedger;
  db: Kysely<unknown>;
  storage: ObjectStorage;
  signer: NoteSigner;
  logger: Logger;
  /** A checkpoint after this many new entries (default 10,000). */
  everyEntries?: number;
  /** And on this schedule when entries were added (default 60 s; 0 disables the timer). */
  intervalMs?: number;
}

export interface Checkpointer {
  /** Signs and stores a checkpoint of the current ledger if it grew; returns the latest stored size. */
  checkpointNow(): Promise<number>;
  /** The newest stored signed checkpoint note, or undefined when none exists yet. */
  latestNote(): Promise<string | undefined>;
  close(): Promise<void>;
}

interface TreeHead {
  size: number;
  root: Uint8Array;
}

export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { ledger, db, storage, signer, logger } = options;
  const everyEntries = options.everyEntries ?? 10_000;
  let latest: number | undefined;
  let chain: Promise<number> = Promise.resolve(0);
  let closed = false;

  async function latestStored(): Promise<number> {
    latest ??= (await listCheckpointSizes(storage)).at(-1) ?? 0;
    return latest;
  }

  /**
   * Signs the tree at `at` (a committed batch's size and root, known without a read), or else at the
   * ledger's current size, unless a stored checkpoint already covers it.
   */
  async function checkpoint(at?: TreeHead): Promise<number> {
    const previous = await latestStored();
    const size = at?.size ?? (await readLedgerSize(db));
    if (size <= previous) return previous;
    const rootHash = at?.root ?? (await rootAtSize(size, ledger.nodeReader));
    const leaves = await readLeafHashes(db, previous, size);
    const note = signCheckpoint({ origin: signer.name, size, rootHash }, signer);
    await saveCheckpoint(storage, size, note, { start: previous, end: size, hashes: Buffer.concat(leaves) });
    latest = size;
    return size;
  }

  const enqueue = (at?: TreeHead): Promise<number> => {
    // One at a time in this process, so each leaf segment starts where the previous one ended.
    chain = chain.catch(() => 0).then(() => checkpoint(at));
    return chain;
  };
  const checkpointNow = (): Promise<number> => enqueue();
  const inBackground = (at?: TreeHead) => {
    if (closed) return;
    enqueue(at).catch((error: unknown) => logger.error({ err: error }, 'audit checkpoint failed'));
  };

  let pending = 0;
  const unsubscribe = ledger.onCommit((batch) => {
    pending += batch.rows.length;
    if (pending >= everyEntries) {
      pending = 0;
      // The size and root just committed: under a load that keeps the process busy (embedded PGlite runs
      // on this thread) the write may wait a while, but the checkpoint still lands N entries after the last.
      inBackground({ size: batch.size, root: batch.root });
    }
  });
  const intervalMs = options.intervalMs ?? 60_000;
  const timer = intervalMs > 0 ? setInterval(() => inBackground(), intervalMs) : undefined;
  timer?.unref();

  return {
    checkpointNow,
    async latestNote() {
      // Listed afresh: another process may have published a newer checkpoint.
      const size = (await listCheckpointSizes(storage)).at(-1) ?? 0;
      if (size === 0) return undefined;
      return readCheckpointNote(storage, size);
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      unsubscribe();
      await chain.catch(() => 0);
    },
  };
}
