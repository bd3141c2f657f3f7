import { HASH_SIZE, nodeHashInto } from './hashing.ts';

/*
 * Bulk folding for `verify`: a run of leaves whose first index is a multiple of a power of two at least
 * as large as the run (a page of the ledger) is folded level by level into flat buffers, with no object
 * per node, and the tree over the whole log is then built from a few subtree hashes per run.
 */

/**
 * Every perfect subtree inside the run: `levels[0]` is the leaf hashes (`count` × 32 bytes) and
 * `levels[L]` the floor(count / 2^L) hashes of 2^L leaves each, left to right. When the run starts at a
 * multiple of 2^(levels.length - 1), node j of `levels[L]` is the log's node (L, start / 2^L + j).
 */
export function foldLevels(leafHashes: Uint8Array, count: number): Uint8Array[] {
  if (!Number.isSafeInteger(count) || count < 0 || leafHashes.length < count * HASH_SIZE) {
    throw new RangeError(`${count} leaf hashes need ${count * HASH_SIZE} bytes`);
  }
  const levels = [leafHashes.subarray(0, count * HASH_SIZE)];
  let below = levels[0] as Uint8Array;
  for (let width = Math.floor(count / 2); width >= 1; width = Math.floor(width / 2)) {
    const level = new Uint8Array(width * HASH_SIZE);
    for (let j = 0; j < width; j++) nodeHashInto(below, 2 * j * HASH_SIZE, level, j * HASH_SIZE);
    levels.push(level);
    below = level;
  }
  return levels;
}

export interface SubtreeHash {
  level: number;
  hash: Uint8Array;
}

/**
 * The run's first `size` leaves as the fewest perfect subtrees, largest first (one per set bit of
 * `size`): appended to a tree whose size is a multiple of 2^(levels.length - 1), they extend it by
 * exactly those leaves (`CompactMerkleTree.appendSubtree`).
 */
export function leadingSubtrees(levels: readonly Uint8Array[], size: number): SubtreeHash[] {
  const count = (levels[0]?.length ?? 0) / HASH_SIZE;
  if (!Number.isSafeInteger(size) || size < 0 || size > count) {
    throw new RangeError(`the run holds ${count} leaves, not ${size}`);
  }
  const pieces: SubtreeHash[] = [];
  let start = 0;
  for (let level = levels.length - 1; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start < width) continue;
    const from = (start / width) * HASH_SIZE;
    pieces.push({ level, hash: (levels[level] as Uint8Array).subarray(from, from + HASH_SIZE) });
    start += width;
  }
  return pieces;
}
