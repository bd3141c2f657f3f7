import { emptyRoot, isHash, leafHash, nodeHash } from './hashing.ts';
import { isTreeSize, perfectSubtrees, popCount } from './tree-math.ts';
import type { MerkleNodeReader, NodeHashSink } from './node-reader.ts';

/**
 * The state needed to keep appending: the roots of the perfect subtrees that make up `[0, size)`, largest
 * (leftmost) first. There is one per set bit of `size`, so at most 53.
 */
export interface Frontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

/**
 * An append-only Merkle tree that keeps only its frontier (the "compact range" of transparency-dev/merkle
 * and the CompactMerkleTree of Certificate Transparency). An append costs one leaf hash plus, amortised, one
 * node hash (n appends make n - popCount(n) merges); the root costs popCount(size) - 1 hashes and is
 * cached until the next append. Nothing is ever re-read from the log.
 *
 * Completed subtrees are reported to `onNode` so a ledger can persist them and later serve proofs for any
 * past size through a `MerkleNodeReader`.
 */
export class CompactMerkleTree {
  #size = 0;
  readonly #hashes: Uint8Array[] = [];
  readonly #onNode: NodeHashSink | undefined;
  #root: Uint8Array | undefined;

  constructor(options: { frontier?: Frontier; onNode?: NodeHashSink } = {}) {
    this.#onNode = options.onNode;
    const frontier = options.frontier;
    if (frontier) {
      if (!isTreeSize(frontier.size)) {
        throw new RangeError('frontier size must be a non-negative safe integer');
      }
      if (frontier.hashes.length !== popCount(frontier.size) || !frontier.hashes.every(isHash)) {
        throw new RangeError(
          `a frontier of size ${frontier.size} holds ${popCount(frontier.size)} 32-byte hashes`,
        );
      }
      this.#size = frontier.size;
      this.#hashes.push(...frontier.hashes.map((h) => Uint8Array.from(h)));
    }
  }

  /** Rebuilds the frontier of a stored tree with one batch of popCount(size) node reads. */
  static async fromNodeReader(
    size: number,
    reader: MerkleNodeReader,
    options: { onNode?: NodeHashSink } = {},
  ): Promise<CompactMerkleTree> {
    if (!isTreeSize(size)) throw new RangeError('size must be a non-negative safe integer');
    const hashes = await reader.getNodeHashes(perfectSubtrees({ start: 0, end: size }));
    return new CompactMerkleTree({ ...options, frontier: { size, hashes } });
  }

  get size(): number {
    return this.#size;
  }

  /** Appends an entry (hashing it as a leaf) and returns its leaf index. */
  appendEntry(entry: Uint8Array): number {
    return this.#append(leafHash(entry));
  }

  /** Appends an already computed leaf hash and returns its leaf index. */
  appendLeafHash(hash: Uint8Array): number {
    if (!isHash(hash)) throw new RangeError('a leaf hash is 32 bytes');
    // Copied so that a caller reusing its buffer cannot rewrite the frontier.
    return this.#append(Uint8Array.from(hash));
  }

  /**
   * Appends a leaf hash without copying it: for a caller that owns `hash` (e.g. a view into a buffer of
   * freshly computed hashes) and never changes it afterwards.
   */
  appendOwnedLeafHash(hash: Uint8Array): number {
    if (!isHash(hash)) throw new RangeError('a leaf hash is 32 bytes');
    return this.#append(hash);
  }

  /**
   * Appends a whole perfect subtree of 2^level leaves by its hash (e.g. one folded elsewhere from leaves
   * [size, size + 2^level)); the size must be a multiple of 2^level. `onNode` hears of the nodes this
   * completes above the subtree, not of the subtree itself or the nodes inside it.
   */
  appendSubtree(level: number, hash: Uint8Array): void {
    if (!isHash(hash)) throw new RangeError('a subtree hash is 32 bytes');
    const width = 2 ** level;
    if (!Number.isInteger(level) || level < 0 || this.#size % width !== 0) {
      throw new RangeError(`a subtree of 2^${level} leaves cannot start at leaf ${this.#size}`);
    }
    if (this.#size + width > Number.MAX_SAFE_INTEGER) throw new RangeError('tree is full');
    this.#merge(level, this.#size / width, hash);
    this.#size += width;
  }

  #append(hash: Uint8Array): number {
    const leafIndex = this.#size;
    if (leafIndex >= Number.MAX_SAFE_INTEGER) throw new RangeError('tree is full');
    this.#onNode?.(0, leafIndex, hash);
    this.#merge(0, leafIndex, hash);
    this.#size = leafIndex + 1;
    return leafIndex;
  }

  /** Pushes the completed subtree (level, index) onto the frontier, merging while it is a right child. */
  #merge(level: number, index: number, hash: Uint8Array): void {
    let merged = hash;
    while (index % 2 === 1) {
      const left = this.#hashes.pop() as Uint8Array;
      merged = nodeHash(left, merged);
      level += 1;
      index = (index - 1) / 2;
      this.#onNode?.(level, index, merged);
    }
    this.#hashes.push(merged);
    this.#root = undefined;
  }

  /** The RFC 6962 Merkle tree hash of the current tree. */
  root(): Uint8Array {
    this.#root ??= rootOfSubtrees(this.#hashes);
    return Uint8Array.from(this.#root);
  }

  /** A copy of the state, e.g. to persist beside a checkpoint and resume appending after a restart. */
  frontier(): Frontier {
    return { size: this.#size, hashes: this.#hashes.map((h) => Uint8Array.from(h)) };
  }
}

/**
 * The Merkle tree hash of the leaves covered by consecutive perfect subtrees, given left to right, whose
 * sizes never grow (a frontier; or a frontier followed by the leading subtrees of a run appended at a
 * multiple of its power-of-two alignment): folding right to left merges them exactly as appends would.
 */
export function rootOfSubtrees(hashes: readonly Uint8Array[]): Uint8Array {
  let root = hashes.length === 0 ? emptyRoot() : (hashes[hashes.length - 1] as Uint8Array);
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Uint8Array, root);
  return root;
}

/** The Merkle tree hash of a list of leaf hashes, in O(n) hashing and O(log n) memory. */
export function rootFromLeafHashes(hashes: Iterable<Uint8Array>): Uint8Array {
  const tree = new CompactMerkleTree();
  for (const hash of hashes) tree.appendLeafHash(hash);
  return tree.root();
}
