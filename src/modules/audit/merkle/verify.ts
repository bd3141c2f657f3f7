import { emptyRoot, hashesEqual, isHash, nodeHash } from './hashing.ts';
import { isPowerOfTwo, isTreeSize } from './tree-math.ts';

/*
 * Proof verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 write it, with the shifts done in
 * arithmetic (exact up to 2^53) because JavaScript's >> truncates to 32 bits. Every check returns false on
 * any malformed input instead of throwing: callers only ever need "verified or not".
 */

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function allHashes(hashes: readonly unknown[]): hashes is Uint8Array[] {
  return Array.isArray(hashes) && hashes.every(isHash);
}

/**
 * True when `proof` shows that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`.
 * Note that the proof binds the size only through the root: verify the root against a signed checkpoint.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isTreeSize(index) || !isTreeSize(size) || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !allHashes(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // A left child on the right edge has no sibling on the levels where it is the last node: skip them.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(r, root);
}

/**
 * True when `proof` shows that the tree of `from` leaves with root `oldRoot` is a prefix of the tree of `to`
 * leaves with root `newRoot`. Equal sizes need an empty proof and equal roots; from an empty tree, an empty
 * proof and `oldRoot` equal to the empty-tree hash (stricter than RFC 9162, which leaves size 0 undefined).
 */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isTreeSize(from) || !isTreeSize(to) || from > to) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !allHashes(proof)) return false;
  if (from === to) return proof.length === 0 && hashesEqual(oldRoot, newRoot);
  if (from === 0) return proof.length === 0 && hashesEqual(oldRoot, emptyRoot());
  // RFC 9162 §2.1.4.2, steps 1–7.
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(from) ? [oldRoot, ...proof] : proof;
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(fr, oldRoot) && hashesEqual(sr, newRoot);
}
