import { AppError } from '../../../platform/errors/index.ts';
import { emptyRoot, isHash, nodeHash } from './hashing.ts';
import type { MerkleNodeReader } from './node-reader.ts';
import { isTreeSize, largestPowerOfTwoBelow, perfectSubtrees, type LeafRange } from './tree-math.ts';

/*
 * Proof generation per RFC 6962 §2.1.1 (PATH) and §2.1.2 (PROOF/SUBPROOF), the same proofs RFC 9162
 * §2.1.3/§2.1.4 verifies. The recursion is walked top-down to find which leaf ranges' Merkle tree hashes
 * make up the proof; each range is then read from a MerkleNodeReader as O(log n) perfect subtrees, all in
 * one batch, so a proof costs one read of O(log n) stored nodes and at most O(log n) hashes.
 */

function badRequest(message: string, reason: string): AppError {
  return new AppError('invalid_request', message, { reason });
}

/** The leaf ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` leaves, bottom-up. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!isTreeSize(index) || !isTreeSize(size)) {
    throw badRequest('index and size must be non-negative integers', 'invalid_tree_position');
  }
  if (index >= size) throw badRequest('index must be smaller than size', 'index_beyond_size');
  const siblings: LeafRange[] = [];
  let start = 0;
  let end = size;
  // PATH(m, D[n]): descend into the half holding leaf m, recording the other half's hash.
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (index - start < k) {
      siblings.push({ start: start + k, end });
      end = start + k;
    } else {
      siblings.push({ start, end: start + k });
      start += k;
    }
  }
  return siblings.reverse();
}

/** The leaf ranges whose hashes form the consistency proof from tree size `from` to `to`, bottom-up. */
export function consistencyProofRanges(from: number, to: number): LeafRange[] {
  if (!isTreeSize(from) || !isTreeSize(to)) {
    throw badRequest('tree sizes must be non-negative integers', 'invalid_tree_size');
  }
  if (from > to) throw badRequest('from must not exceed to', 'sizes_out_of_order');
  // The empty tree is a prefix of every tree, and a tree of itself: both proofs are empty.
  if (from === 0 || from === to) return [];
  const siblings: LeafRange[] = [];
  let start = 0;
  let end = to;
  let m = from; // leaves of the old tree inside [start, end)
  let oldRootKnown = true; // SUBPROOF's b: the verifier already holds MTH(D[start:start+m])
  // SUBPROOF(m, D[n], b): descend until the old tree's last subtree is a whole subtree of the new one.
  while (m < end - start) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m <= k) {
      siblings.push({ start: start + k, end });
      end = start + k;
    } else {
      siblings.push({ start, end: start + k });
      start += k;
      m -= k;
      oldRootKnown = false;
    }
  }
  siblings.reverse();
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the verifier cannot know that subtree's hash yet.
  return oldRootKnown ? siblings : [{ start, end }, ...siblings];
}

/**
 * Reads the Merkle tree hash of each range. Ranges produced above start on a boundary aligned to their
 * size's next power of two, so each is the right-to-left fold of its perfect subtrees.
 */
async function rangeHashes(ranges: readonly LeafRange[], reader: MerkleNodeReader): Promise<Uint8Array[]> {
  const pieces = ranges.map(perfectSubtrees);
  const ids = pieces.flat();
  const hashes = ids.length === 0 ? [] : await reader.getNodeHashes(ids);
  if (hashes.length !== ids.length || !hashes.every(isHash)) {
    throw new Error(`node store returned ${hashes.length} hashes for ${ids.length} nodes`);
  }
  let next = 0;
  return pieces.map((nodes) => {
    const own = hashes.slice(next, next + nodes.length);
    next += nodes.length;
    let hash = own[own.length - 1] as Uint8Array;
    for (let i = own.length - 2; i >= 0; i--) hash = nodeHash(own[i] as Uint8Array, hash);
    return hash;
  });
}

/** Audit path of leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1), leaf level first. */
export async function inclusionProof(
  index: number,
  size: number,
  reader: MerkleNodeReader,
): Promise<Uint8Array[]> {
  return rangeHashes(inclusionProofRanges(index, size), reader);
}

/** Proof that the tree of `from` leaves is a prefix of the tree of `to` leaves (RFC 6962 §2.1.2). */
export async function consistencyProof(
  from: number,
  to: number,
  reader: MerkleNodeReader,
): Promise<Uint8Array[]> {
  return rangeHashes(consistencyProofRanges(from, to), reader);
}

/** The root of the tree as it was at `size` leaves: popCount(size) node reads. */
export async function rootAtSize(size: number, reader: MerkleNodeReader): Promise<Uint8Array> {
  if (!isTreeSize(size)) throw badRequest('size must be a non-negative integer', 'invalid_tree_size');
  if (size === 0) return emptyRoot();
  const [root] = await rangeHashes([{ start: 0, end: size }], reader);
  return root as Uint8Array;
}
