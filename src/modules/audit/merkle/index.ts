/**
 * RFC 6962 / RFC 9162 Merkle tree core of the audit ledger: hashing, an incremental (compact) tree,
 * proof generation against a node-hash store, and proof verification.
 */
export {
  HASH_SIZE,
  emptyRoot,
  hashesEqual,
  isHash,
  leafHash,
  leafHashInto,
  nodeHash,
  nodeHashInto,
} from './hashing.ts';
export { CompactMerkleTree, rootFromLeafHashes, rootOfSubtrees, type Frontier } from './compact-tree.ts';
export { foldLevels, leadingSubtrees, type SubtreeHash } from './subtree-levels.ts';
export type { LeafHashReader, MerkleNodeReader, NodeHashSink } from './node-reader.ts';
export { MemoryNodeStore, nodeReaderFromLeafHashes } from './node-store.ts';
export {
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  rootAtSize,
} from './proofs.ts';
export { verifyConsistency, verifyInclusion } from './verify.ts';
export { perfectSubtrees, type LeafRange, type NodeId } from './tree-math.ts';
