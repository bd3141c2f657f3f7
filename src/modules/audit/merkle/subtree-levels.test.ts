import { describe, expect, it } from 'vitest';
import {
  CompactMerkleTree,
  HASH_SIZE,
  foldLevels,
  leadingSubtrees,
  leafHash,
  leafHashInto,
  nodeHash,
  nodeHashInto,
  rootFromLeafHashes,
  rootOfSubtrees,
} from './index.ts';
import { referenceRoot } from './reference.ts';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaves = (n: number, salt = 0): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i % 256, i >> 8, salt)));
const flat = (hashes: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => out.set(h, i * HASH_SIZE));
  return out;
};

describe('bulk hashing', () => {
  it('leafHashInto and nodeHashInto write what leafHash and nodeHash return', () => {
    const bytes = new TextEncoder().encode('xx{"entry":1}yy'.repeat(200));
    const out = new Uint8Array(3 * HASH_SIZE);
    leafHashInto(bytes, 2, 13, out, HASH_SIZE);
    expect(toHex(out.subarray(HASH_SIZE, 2 * HASH_SIZE))).toBe(toHex(leafHash(bytes.subarray(2, 13))));
    // Beyond the scratch buffer's first size, and beyond what is ever copied.
    for (const end of [2_000, 70_000]) {
      const big = new Uint8Array(end).fill(7);
      leafHashInto(big, 1, end, out, 0);
      expect(toHex(out.subarray(0, HASH_SIZE))).toBe(toHex(leafHash(big.subarray(1))));
    }
    const [a, b] = leaves(2);
    const children = flat([a!, a!, b!]);
    nodeHashInto(children, HASH_SIZE, children, 0); // in place, over its own left child
    expect(toHex(children.subarray(0, HASH_SIZE))).toBe(toHex(nodeHash(a!, b!)));
  });
});

describe('foldLevels and leadingSubtrees', () => {
  it('hold every perfect subtree of the run, by level', () => {
    for (const count of [0, 1, 2, 3, 7, 8, 37, 64]) {
      const hashes = leaves(count);
      const levels = foldLevels(flat(hashes), count);
      expect(levels).toHaveLength(count === 0 ? 1 : Math.floor(Math.log2(count)) + 1);
      levels.forEach((level, l) => {
        const width = 2 ** l;
        expect(level.length).toBe(Math.floor(count / width) * HASH_SIZE);
        for (let j = 0; j * HASH_SIZE < level.length; j++) {
          const node = level.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
          expect(toHex(node)).toBe(toHex(referenceRoot(hashes.slice(j * width, (j + 1) * width))));
        }
      });
    }
  });

  it('extend an aligned tree by exactly the run: the same roots and nodes as appending its leaves', () => {
    const run = 64;
    const hashes = leaves(5 * run + 21, 1);
    const viaLeaves: string[] = [];
    const byLeaf = new CompactMerkleTree({ onNode: (l, i) => l >= 6 && viaLeaves.push(`${l}/${i}`) });
    const viaRuns: string[] = [];
    const byRun = new CompactMerkleTree({ onNode: (l, i) => viaRuns.push(`${l}/${i}`) });
    for (let start = 0; start < hashes.length; start += run) {
      const page = hashes.slice(start, start + run);
      const levels = foldLevels(flat(page), page.length);
      // Any prefix of the run, joined to the tree so far, has the root of the log at that size.
      for (const size of [1, 5, page.length]) {
        if (size > page.length) continue;
        const within = leadingSubtrees(levels, size).map((p) => p.hash);
        const root = rootOfSubtrees([...byRun.frontier().hashes, ...within]);
        expect(toHex(root)).toBe(toHex(rootFromLeafHashes(hashes.slice(0, start + size))));
      }
      for (const piece of leadingSubtrees(levels, page.length)) byRun.appendSubtree(piece.level, piece.hash);
      page.forEach((h) => byLeaf.appendLeafHash(h));
      expect(byRun.size).toBe(byLeaf.size);
      expect(toHex(byRun.root())).toBe(toHex(byLeaf.root()));
    }
    // appendSubtree reports the nodes above the runs (levels > 6 here), each once, as appending leaves does.
    expect(viaRuns).toEqual(viaLeaves.filter((key) => Number(key.split('/')[0]) > 6));
    expect(viaRuns.length).toBeGreaterThan(0);
  });

  it('refuse a subtree that does not start on its own boundary, and a prefix longer than the run', () => {
    const tree = new CompactMerkleTree();
    tree.appendLeafHash(leaves(1)[0]!);
    expect(() => tree.appendSubtree(1, leaves(1)[0]!)).toThrow(RangeError);
    expect(() => tree.appendSubtree(0, new Uint8Array(31))).toThrow(RangeError);
    expect(() => leadingSubtrees(foldLevels(flat(leaves(3)), 3), 4)).toThrow(RangeError);
  });
});
