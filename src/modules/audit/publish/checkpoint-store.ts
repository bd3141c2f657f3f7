import type { Readable } from 'node:stream';
import type { ObjectStorage } from '../../../platform/storage/index.ts';

/*
 * Checkpoints live in object storage, outside the ledger database, so restoring an old copy of the
 * ledger (or editing it and recomputing the tree) contradicts a checkpoint it cannot reach. Beside each
 * checkpoint goes the segment of leaf hashes it added, so `verify` can name the exact entry that changed.
 */
const CHECKPOINT_PREFIX = 'audit/checkpoints/';
const LEAVES_PREFIX = 'audit/leaves/';
const pad = (n: number): string => String(n).padStart(16, '0');

export const checkpointKey = (size: number): string => `${CHECKPOINT_PREFIX}${pad(size)}`;
export const leafSegmentKey = (start: number, end: number): string =>
  `${LEAVES_PREFIX}${pad(start)}-${pad(end)}`;

export interface LeafSegment {
  start: number;
  end: number;
  /** (end - start) concatenated 32-byte leaf hashes. */
  hashes: Uint8Array;
}

async function readAll(storage: ObjectStorage, key: string): Promise<Buffer> {
  const { body } = await storage.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export async function saveCheckpoint(
  storage: ObjectStorage,
  size: number,
  note: string,
  segment: LeafSegment,
): Promise<void> {
  // The segment first: a checkpoint never exists without the leaves it vouches for.
  await storage.put(leafSegmentKey(segment.start, segment.end), segment.hashes);
  await storage.put(checkpointKey(size), Buffer.from(note, 'utf8'), {
    contentType: 'text/plain; charset=utf-8',
  });
}

/** Sizes of every stored checkpoint, ascending. */
export async function listCheckpointSizes(storage: ObjectStorage): Promise<number[]> {
  const sizes: number[] = [];
  for await (const object of storage.list(CHECKPOINT_PREFIX)) {
    const size = Number(object.key.slice(CHECKPOINT_PREFIX.length));
    if (Number.isSafeInteger(size)) sizes.push(size);
  }
  return sizes.sort((a, b) => a - b);
}

export async function readCheckpointNote(storage: ObjectStorage, size: number): Promise<string> {
  return (await readAll(storage, checkpointKey(size))).toString('utf8');
}

export async function readLeafSegments(storage: ObjectStorage): Promise<LeafSegment[]> {
  const segments: LeafSegment[] = [];
  for await (const object of storage.list(LEAVES_PREFIX)) {
    const match = /^(\d{16})-(\d{16})$/.exec(object.key.slice(LEAVES_PREFIX.length));
    if (!match) continue;
    segments.push({
      start: Number(match[1]),
      end: Number(match[2]),
      hashes: await readAll(storage, object.key),
    });
  }
  return segments.sort((a, b) => a.start - b.start);
}
