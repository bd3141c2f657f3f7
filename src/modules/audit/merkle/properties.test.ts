import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactMerkleTree,
  MemoryNodeStore,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAtSize,
  verifyConsistency,
  verifyInclusion,
} from './index.ts';
import { referenceConsistencyProof, referenceInclusionProof, referenceRoot } from './reference.ts';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Leaf i of the shared test tree: distinct entries, so no two leaves share a hash. */
const entry = (i: number): Uint8Array => new TextEncoder().encode(`audit entry #${i}`);

const MAX_SIZE = 2100;
const LEAVES = Array.from({ length: MAX_SIZE }, (_, i) => leafHash(entry(i)));
const STORE = new MemoryNodeStore();
const TREE = new CompactMerkleTree({ onNode: STORE.record });
/** ROOTS[n] is the root at size n, taken as the incremental tree grew. */
const ROOTS = [TREE.root()];
for (const leaf of LEAVES) {
  TREE.appendLeafHash(leaf);
  ROOTS.push(TREE.root());
}
const rootAt = (size: number): Uint8Array => ROOTS[size] as Uint8Array;

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[Math.floor(bit / 8)]! ^= 1 << (bit % 8);
  return copy;
}

const sizeAndIndex = fc
  .integer({ min: 1, max: MAX_SIZE })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));
const fromAndTo = fc
  .integer({ min: 1, max: MAX_SIZE })
  .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 1, max: to }) }));
const bit = fc.integer({ min: 0, max: 255 });

describe('incremental tree', () => {
  it('has the recursive MTH root at every size 0..300', () => {
    for (let size = 0; size <= 300; size++) {
      expect(toHex(rootAt(size)), `size ${size}`).toBe(toHex(referenceRoot(LEAVES.slice(0, size))));
    }
  });

  it('has the recursive MTH root at random sizes, and the store serves the same past roots', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: MAX_SIZE }), async (size) => {
        const expected = toHex(referenceRoot(LEAVES.slice(0, size)));
        expect(toHex(rootAt(size))).toBe(expected);
        expect(toHex(await rootAtSize(size, STORE))).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('resumes from a saved frontier or from the store and reaches the same roots', async () => {
    await fc.assert(
      fc.asyncProperty(fromAndTo, async ({ from, to }) => {
        const fromFrontier = new CompactMerkleTree();
        for (const leaf of LEAVES.slice(0, from)) fromFrontier.appendLeafHash(leaf);
        const resumed = new CompactMerkleTree({ frontier: fromFrontier.frontier() });
        const restored = await CompactMerkleTree.fromNodeReader(from, STORE);
        for (const leaf of LEAVES.slice(from, to)) {
          resumed.appendLeafHash(leaf);
          restored.appendLeafHash(leaf);
        }
        expect(toHex(resumed.root())).toBe(toHex(rootAt(to)));
        expect(toHex(restored.root())).toBe(toHex(rootAt(to)));
      }),
      { numRuns: 40 },
    );
  });
});

describe('inclusion proofs', () => {
  it('equal PATH(m, D[n]) and verify, for random sizes and indices', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, async ({ size, index }) => {
        const proof = await inclusionProof(index, size, STORE);
        expect(proof.map(toHex)).toEqual(referenceInclusionProof(index, LEAVES.slice(0, size)).map(toHex));
        expect(verifyInclusion(LEAVES[index]!, index, size, proof, rootAt(size))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('fail after any single-bit change in the proof, the leaf, the index or the root', async () => {
    await fc.assert(
      fc.asyncProperty(
        sizeAndIndex,
        bit,
        fc.nat(),
        fc.nat({ max: 52 }),
        async ({ size, index }, b, pick, indexBit) => {
          const proof = await inclusionProof(index, size, STORE);
          const leaf = LEAVES[index]!;
          const root = rootAt(size);
          if (proof.length > 0) {
            const at = pick % proof.length;
            const tampered = proof.map((p, i) => (i === at ? flipBit(p, b) : p));
            expect(verifyInclusion(leaf, index, size, tampered, root)).toBe(false);
          }
          expect(verifyInclusion(flipBit(leaf, b), index, size, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, proof, flipBit(root, b))).toBe(false);
          const otherIndex =
            index % 2 ** (indexBit + 1) >= 2 ** indexBit ? index - 2 ** indexBit : index + 2 ** indexBit;
          expect(verifyInclusion(leaf, otherIndex, size, proof, root)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('consistency proofs', () => {
  it('equal PROOF(m, D[n]) and verify, for random size pairs', async () => {
    await fc.assert(
      fc.asyncProperty(fromAndTo, async ({ from, to }) => {
        const proof = await consistencyProof(from, to, STORE);
        expect(proof.map(toHex)).toEqual(referenceConsistencyProof(from, LEAVES.slice(0, to)).map(toHex));
        expect(verifyConsistency(from, to, proof, rootAt(from), rootAt(to))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('fail after any single-bit change in the proof, either root or the old size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fromAndTo,
        bit,
        fc.nat(),
        fc.nat({ max: 52 }),
        async ({ from, to }, b, pick, sizeBit) => {
          const proof = await consistencyProof(from, to, STORE);
          const [oldRoot, newRoot] = [rootAt(from), rootAt(to)];
          if (proof.length > 0) {
            const at = pick % proof.length;
            const tampered = proof.map((p, i) => (i === at ? flipBit(p, b) : p));
            expect(verifyConsistency(from, to, tampered, oldRoot, newRoot)).toBe(false);
          }
          expect(verifyConsistency(from, to, proof, flipBit(oldRoot, b), newRoot)).toBe(false);
          expect(verifyConsistency(from, to, proof, oldRoot, flipBit(newRoot, b))).toBe(false);
          const otherFrom =
            from % 2 ** (sizeBit + 1) >= 2 ** sizeBit ? from - 2 ** sizeBit : from + 2 ** sizeBit;
          expect(verifyConsistency(otherFrom, to, proof, oldRoot, newRoot)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a rewritten history is caught: changing any one earlier leaf breaks consistency with the old root', async () => {
    await fc.assert(
      fc.asyncProperty(fromAndTo, fc.nat(), async ({ from, to }, pick) => {
        fc.pre(from < to);
        const rewritten = LEAVES.slice(0, to);
        const at = pick % from;
        rewritten[at] = leafHash(new TextEncoder().encode(`forged entry #${at}`));
        const forgedStore = new MemoryNodeStore();
        const forged = new CompactMerkleTree({ onNode: forgedStore.record });
        for (const leaf of rewritten) forged.appendLeafHash(leaf);
        const proof = await consistencyProof(from, to, forgedStore);
        expect(verifyConsistency(from, to, proof, rootAt(from), forged.root())).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * A tree of 2^40+ identical leaves cannot be built, but every perfect subtree of it has a hash that depends
 * only on its level, so a store can answer for it exactly. This checks the index arithmetic above 2^32,
 * where JavaScript's 32-bit shift operators would silently wrap (a verifier doing so fails these proofs).
 * Identical leaves make positions interchangeable, so only the valid/truncated cases are meaningful here.
 */
describe('trees larger than 2^32 leaves', () => {
  const levelHashes = [leafHash(entry(0))];
  const giantStore = {
    getNodeHashes: (ids: readonly { level: number }[]) =>
      ids.map(({ level }) => {
        while (levelHashes.length <= level) {
          const below = levelHashes[levelHashes.length - 1]!;
          levelHashes.push(nodeHash(below, below));
        }
        return levelHashes[level]!;
      }),
  };
  const giant = fc.integer({ min: 2 ** 32 + 1, max: 2 ** 50 });

  it('generates inclusion and consistency proofs that verify', async () => {
    await fc.assert(
      fc.asyncProperty(giant, fc.double({ min: 0, max: 1, noNaN: true }), async (size, where) => {
        const index = Math.min(size - 1, Math.floor(where * size));
        const root = await rootAtSize(size, giantStore);
        const proof = await inclusionProof(index, size, giantStore);
        expect(verifyInclusion(levelHashes[0]!, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(levelHashes[0]!, index, size, proof.slice(1), root)).toBe(false);
        const from = Math.max(1, index);
        const oldRoot = await rootAtSize(from, giantStore);
        const consistency = await consistencyProof(from, size, giantStore);
        expect(verifyConsistency(from, size, consistency, oldRoot, root)).toBe(true);
        expect(verifyConsistency(from, size, consistency.slice(1), oldRoot, root)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
