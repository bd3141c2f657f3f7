import { HASH_SIZE, isHash } from './hashing.ts';
import { rootFromLeafHashes } from './compact-tree.ts';
import type { LeafHashReader, MerkleNodeReader, NodeHashSink } from './node-reader.ts';
import { nodeEnd, type NodeId } from './tree-math.ts';

/**
 * Serves node hashes by reading the leaf hashes under each node and folding them. No extra storage, but a
 * proof then costs O(n) leaf reads and hashing in the worst case (the sibling of the first split covers up
 * to half the tree): fine for small logs and for tests, not for serving proofs of a large ledger.
 */
export function nodeReaderFromLeafHashes(reader: LeafHashReader): MerkleNodeReader {
  return {
    async getNodeHashes(ids) {
      const hashes: Uint8Array[] = [];
      for (const id of ids) {
        const start = id.index * 2 ** id.level;
        const end = nodeEnd(id);
        const leaves = await reader.getLeafHashes(start, end);
        if (leaves.length !== end - start || !leaves.every(isHash)) {
          throw new RangeError(`leaf hashes [${start}, ${end}) are not all available`);
        }
        hashes.push(rootFromLeafHashes(leaves));
      }
      return hashes;
    },
  };
}

interface StoredLevel {
  bytes: Uint8Array;
  count: number;
}

/**
 * Every perfect-subtree hash of a tree in memory, one contiguous buffer per level (64 bytes per leaf in
 * total). Fill it by passing `record` as `CompactMerkleTree`'s `onNode`. Suits the embedded ledger's
 * in-process proof serving and tests; a persistent ledger stores the same (level, index, hash) rows.
 */
export class MemoryNodeStore implements MerkleNodeReader {
  readonly #levels: StoredLevel[] = [];

  /** Records a completed node. Nodes of a level must arrive in index order, as `CompactMerkleTree` reports them. */
  readonly record: NodeHashSink = (level, index, hash) => {
    if (!isHash(hash)) throw new RangeError('node hashes are 32 bytes');
    let stored = this.#levels[level];
    while (stored === undefined) {
      this.#levels.push({ bytes: new Uint8Array(HASH_SIZE * 64), count: 0 });
      stored = this.#levels[level];
    }
    if (index !== stored.count) throw new RangeError(`node (${level}, ${index}) arrived out of order`);
    if ((index + 1) * HASH_SIZE > stored.bytes.length) {
      const grown = new Uint8Array(stored.bytes.length * 2);
      grown.set(stored.bytes);
      stored.bytes = grown;
    }
    stored.bytes.set(hash, index * HASH_SIZE);
    stored.count += 1;
  };

  /** Number of leaves stored. */
  get size(): number {
    return this.#levels[0]?.count ?? 0;
  }

  getNodeHashes(ids: readonly NodeId[]): Uint8Array[] {
    return ids.map(({ level, index }) => {
      const stored = this.#levels[level];
      if (stored === undefined || !Number.isSafeInteger(index) || index < 0 || index >= stored.count) {
        throw new RangeError(`node (${level}, ${index}) is not stored`);
      }
      return stored.bytes.slice(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    });
  }
}
