/**
 * Integer helpers for tree sizes and indices. JavaScript bitwise operators truncate to 32 bits, and a ledger
 * appending 20,000 entries/s passes 2^32 entries in under seven years of retention, so everything here uses
 * plain arithmetic and is exact for every safe integer (< 2^53).
 */

/**
 * A perfect subtree: the `2^level` leaves starting at leaf `index * 2^level`. Once those leaves exist its hash
 * never changes, which is what lets a store serve proofs for any past tree size.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A half-open range of leaf indices `[start, end)`. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export function isTreeSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** The largest power of two strictly below `n` (n ≥ 2): the split point `k` of RFC 6962 §2.1. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Number of ones in the binary representation of `n`. */
export function popCount(n: number): number {
  let count = 0;
  while (n > 0) {
    count += n % 2;
    n = Math.floor(n / 2);
  }
  return count;
}

/** The first leaf index after the perfect subtree `node`. */
export function nodeEnd(node: NodeId): number {
  return (node.index + 1) * 2 ** node.level;
}

/**
 * Splits `[start, end)` into the fewest perfect subtrees, left to right (the range's "compact range").
 * For the ranges that occur in RFC 6962's recursion the start is aligned, so the pieces have strictly
 * decreasing sizes and the range's Merkle tree hash is the right-to-left fold of their hashes.
 */
export function perfectSubtrees(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let start = range.start;
  while (start < range.end) {
    let level = 0;
    let size = 1;
    while (start % (size * 2) === 0 && start + size * 2 <= range.end) {
      level += 1;
      size *= 2;
    }
    nodes.push({ level, index: start / size });
    start += size;
  }
  return nodes;
}
