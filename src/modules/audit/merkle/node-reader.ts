import type { NodeId } from './tree-math.ts';

/**
 * Where proof generation reads hashes from. Only perfect subtrees are ever requested, and only ones that lie
 * inside a tree size that has already been appended; their hashes never change, so any store that records
 * what `CompactMerkleTree`'s `onNode` reports (fewer than 2n hashes of 32 bytes for n leaves) can answer an
 * inclusion or consistency proof, or a past root, with one batched read of O(log n) nodes and no hashing
 * beyond folding them.
 */
export interface MerkleNodeReader {
  /** The hashes of the given perfect subtrees, in the same order. Must fail rather than omit one. */
  getNodeHashes(ids: readonly NodeId[]): Promise<readonly Uint8Array[]> | readonly Uint8Array[];
}

/** A store that keeps only leaf hashes (e.g. one column of the ledger table). */
export interface LeafHashReader {
  /** The leaf hashes of `[start, end)`, in order. */
  getLeafHashes(start: number, end: number): Promise<readonly Uint8Array[]> | readonly Uint8Array[];
}

/**
 * Called for every perfect subtree completed by an append, leaves included, each exactly once and in
 * order of completion. The hash is the tree's own copy: the sink must not modify it.
 */
export type NodeHashSink = (level: number, index: number, hash: Uint8Array) => void;
