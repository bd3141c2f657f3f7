import { describe, expect, it } from 'vitest';
import { CompactMerkleTree, leafHash, rootFromLeafHashes } from './index.ts';
import { referenceRoot } from './reference.ts';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaves = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i % 256, i >> 8)));

describe('CompactMerkleTree', () => {
  it('reports each of the 2n - popCount(n) perfect subtrees once, in completion order, with its MTH', () => {
    const hashes = leaves(37);
    const seen: { level: number; index: number; hash: string }[] = [];
    const tree = new CompactMerkleTree({
      onNode: (level, index, hash) => seen.push({ level, index, hash: toHex(hash) }),
    });
    for (const hash of hashes) tree.appendLeafHash(hash);
    expect(seen).toHaveLength(37 + 18 + 9 + 4 + 2 + 1); // floor(37 / 2^level) per level = 2·37 - popCount(37)
    for (const node of seen) {
      const start = node.index * 2 ** node.level;
      expect(node.hash).toBe(toHex(referenceRoot(hashes.slice(start, start + 2 ** node.level))));
    }
    const keys = seen.map((n) => `${n.level}/${n.index}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Leaf 7 completes (0,7), then (1,3), (2,1) and (3,0): children always come before their parent.
    const at = keys.indexOf('0/7');
    expect(keys.slice(at, at + 5)).toEqual(['0/7', '1/3', '2/1', '3/0', '0/8']);
  });

  it('keeps only popCount(size) hashes and resumes from them', () => {
    const hashes = leaves(300);
    const tree = new CompactMerkleTree();
    hashes.slice(0, 203).forEach((h) => tree.appendLeafHash(h));
    const frontier = tree.frontier();
    expect(frontier).toMatchObject({ size: 203 });
    expect(frontier.hashes).toHaveLength(5); // 203 = 0b11001011
    const resumed = new CompactMerkleTree({ frontier });
    hashes.slice(203).forEach((h) => resumed.appendLeafHash(h));
    expect(resumed.size).toBe(300);
    expect(toHex(resumed.root())).toBe(toHex(rootFromLeafHashes(hashes)));
    expect(toHex(resumed.root())).toBe(toHex(referenceRoot(hashes)));
  });

  it('returns the leaf index of each append and hashes entries as leaves', () => {
    const tree = new CompactMerkleTree();
    expect(tree.appendEntry(new TextEncoder().encode('a'))).toBe(0);
    expect(tree.appendEntry(new TextEncoder().encode('b'))).toBe(1);
    const enc = new TextEncoder();
    expect(toHex(tree.root())).toBe(
      toHex(referenceRoot([leafHash(enc.encode('a')), leafHash(enc.encode('b'))])),
    );
  });

  it('cannot be corrupted through buffers shared with the caller', () => {
    const hashes = leaves(3);
    const tree = new CompactMerkleTree();
    const callerBuffer = Uint8Array.from(hashes[0]!);
    tree.appendLeafHash(callerBuffer);
    callerBuffer.fill(0);
    const root = tree.root();
    root.fill(0);
    const frontier = tree.frontier();
    frontier.hashes[0]!.fill(0);
    expect(toHex(tree.root())).toBe(toHex(hashes[0]!));
  });

  it('appends owned leaf hashes (views into one buffer, not copied) to the same tree', () => {
    const hashes = leaves(37);
    const block = new Uint8Array(37 * 32);
    hashes.forEach((hash, i) => block.set(hash, i * 32));
    const tree = new CompactMerkleTree();
    for (let i = 0; i < 37; i++) tree.appendOwnedLeafHash(block.subarray(i * 32, (i + 1) * 32));
    expect(toHex(tree.root())).toBe(toHex(referenceRoot(hashes)));
    expect(() => tree.appendOwnedLeafHash(block.subarray(0, 31))).toThrow(RangeError);
  });

  it('rejects malformed leaf hashes and frontiers', () => {
    const tree = new CompactMerkleTree();
    expect(() => tree.appendLeafHash(new Uint8Array(31))).toThrow(RangeError);
    expect(tree.size).toBe(0);
    const [a, b] = leaves(2);
    expect(() => new CompactMerkleTree({ frontier: { size: 3, hashes: [a!] } })).toThrow(/2 32-byte hashes/);
    expect(() => new CompactMerkleTree({ frontier: { size: 2, hashes: [a!, b!] } })).toThrow(RangeError);
    expect(() => new CompactMerkleTree({ frontier: { size: -1, hashes: [] } })).toThrow(RangeError);
    expect(() => new CompactMerkleTree({ frontier: { size: 1, hashes: [new Uint8Array(16)] } })).toThrow(
      RangeError,
    );
  });
});
