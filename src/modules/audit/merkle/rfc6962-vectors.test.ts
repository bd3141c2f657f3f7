import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CompactMerkleTree,
  MemoryNodeStore,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAtSize,
  verifyConsistency,
  verifyInclusion,
} from './index.ts';
import { referenceRoot } from './reference.ts';

/*
 * Published RFC 6962 test vectors, as used by Certificate Transparency and transparency-dev/merkle:
 * - google/certificate-transparency cpp/merkletree/merkle_tree_test.cc (kInputs, kSHA256Roots,
 *   kSHA256Paths, kSHA256Proofs; its leaf numbers are 1-based, ours are 0-based indices);
 * - transparency-dev/merkle proof/verify_test.go (the same vectors plus the 6 → 7 consistency proof, and
 *   the corruption probes reproduced in `corruptedInclusions` / `corruptedConsistencies` below);
 * - transparency-dev/merkle rfc6962/rfc6962_test.go (empty root, empty leaf, "L123456" leaf).
 */
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const ENTRIES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Roots for tree sizes 1..8. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const rootOf = (size: number): Uint8Array => hex(ROOTS[size - 1] as string);

const INCLUSION_PROOFS: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY_PROOFS: { from: number; to: number; proof: string[] }[] = [
  { from: 1, to: 1, proof: [] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    from: 6,
    to: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

function referenceStore(): MemoryNodeStore {
  const store = new MemoryNodeStore();
  const tree = new CompactMerkleTree({ onNode: store.record });
  for (const entry of ENTRIES) tree.appendEntry(entry);
  return store;
}

describe('RFC 6962 hashing', () => {
  it('hashes the empty tree, leaves and nodes as the published vectors say', () => {
    expect(toHex(emptyRoot())).toBe(EMPTY_ROOT);
    expect(toHex(leafHash(new Uint8Array(0)))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(toHex(leafHash(new TextEncoder().encode('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(toHex(nodeHash(leafHash(ENTRIES[0]!), leafHash(ENTRIES[1]!)))).toBe(ROOTS[1]);
    // Domain separation: a node is not the leaf hash of its children's concatenation.
    const [a, b] = [leafHash(hex('01')), leafHash(hex('02'))];
    expect(toHex(nodeHash(a, b))).not.toBe(toHex(leafHash(Buffer.concat([a, b]))));
    expect(toHex(nodeHash(a, b))).not.toBe(toHex(nodeHash(b, a)));
  });

  it('hashes small and very large entries (two code paths) as SHA-256(0x00 ‖ entry)', () => {
    for (const length of [0, 1, 400, 5000, 200_000]) {
      const entry = new Uint8Array(length).fill(length % 251);
      const expected = createHash('sha256').update(Buffer.of(0)).update(entry).digest('hex');
      expect(toHex(leafHash(entry)), `length ${length}`).toBe(expected);
    }
  });
});

describe('RFC 6962 roots for sizes 0..8', () => {
  it('incremental, recursive and store-backed roots all equal the published roots', async () => {
    const tree = new CompactMerkleTree();
    const store = referenceStore();
    expect(toHex(tree.root())).toBe(EMPTY_ROOT);
    expect(toHex(await rootAtSize(0, store))).toBe(EMPTY_ROOT);
    for (let size = 1; size <= ENTRIES.length; size++) {
      tree.appendEntry(ENTRIES[size - 1]!);
      expect(toHex(tree.root()), `size ${size}`).toBe(ROOTS[size - 1]);
      expect(toHex(referenceRoot(ENTRIES.slice(0, size).map(leafHash)))).toBe(ROOTS[size - 1]);
      expect(toHex(await rootAtSize(size, store))).toBe(ROOTS[size - 1]);
    }
  });
});

function corruptedInclusions(
  index: number,
  size: number,
  proof: Uint8Array[],
  root: Uint8Array,
  leaf: Uint8Array,
) {
  const probes: { desc: string; args: Parameters<typeof verifyInclusion> }[] = [
    { desc: 'index - 1', args: [leaf, index - 1, size, proof, root] },
    { desc: 'index + 1', args: [leaf, index + 1, size, proof, root] },
    { desc: 'index ^ 2', args: [leaf, index ^ 2, size, proof, root] },
    { desc: 'size * 2', args: [leaf, index, size * 2, proof, root] },
    { desc: 'size / 2', args: [leaf, index, Math.floor(size / 2), proof, root] },
    { desc: 'wrong leaf', args: [leafHash(new TextEncoder().encode('WrongLeaf')), index, size, proof, root] },
    { desc: 'empty root', args: [leaf, index, size, proof, hex(EMPTY_ROOT)] },
    { desc: 'random root', args: [leaf, index, size, proof, SOME_HASH] },
    { desc: 'trailing garbage', args: [leaf, index, size, [...proof, new Uint8Array(0)], root] },
    { desc: 'trailing root', args: [leaf, index, size, [...proof, root], root] },
    { desc: 'preceding garbage', args: [leaf, index, size, [new Uint8Array(0), ...proof], root] },
    { desc: 'preceding root', args: [leaf, index, size, [root, ...proof], root] },
  ];
  proof.forEach((_, i) => {
    const wrong = proof.map((p) => Uint8Array.from(p));
    wrong[i]![0]! ^= 8;
    probes.push({ desc: `proof[${i}] bit 3`, args: [leaf, index, size, wrong, root] });
  });
  if (proof.length > 0) {
    probes.push({ desc: 'removed component', args: [leaf, index, size, proof.slice(0, -1), root] });
  }
  if (proof.length > 1) {
    probes.push({
      desc: 'inserted component',
      args: [leaf, index, size, [proof[0]!, SOME_HASH, ...proof.slice(1)], root],
    });
  }
  return probes;
}

describe('RFC 6962 inclusion proofs', () => {
  it.each(INCLUSION_PROOFS)(
    'leaf $index of $size: generated as published, verifies, and corruptions fail',
    async (v) => {
      const store = referenceStore();
      const proof = await inclusionProof(v.index, v.size, store);
      expect(proof.map(toHex)).toEqual(v.proof);
      const leaf = leafHash(ENTRIES[v.index]!);
      expect(verifyInclusion(leaf, v.index, v.size, v.proof.map(hex), rootOf(v.size))).toBe(true);
      const accepted = corruptedInclusions(v.index, v.size, proof, rootOf(v.size), leaf)
        .filter((p) => verifyInclusion(...p.args))
        .map((p) => p.desc);
      expect(accepted).toEqual([]);
    },
  );

  it('rejects impossible positions and malformed hashes', () => {
    const leaf = leafHash(ENTRIES[0]!);
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [-1, 1],
      [0.5, 1],
    ] as const) {
      expect(verifyInclusion(SOME_HASH, index, size, [], hex(EMPTY_ROOT))).toBe(false);
    }
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 0, 1, [], new Uint8Array(0))).toBe(false);
    expect(verifyInclusion(new Uint8Array(0), 0, 1, [], new Uint8Array(0))).toBe(false);
  });
});

function corruptedConsistencies(
  from: number,
  to: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: Uint8Array[],
) {
  const wrongRoot = leafHash(new TextEncoder().encode('WrongRoot'));
  const probes: { desc: string; args: Parameters<typeof verifyConsistency> }[] = [
    { desc: 'from - 1', args: [from - 1, to, proof, oldRoot, newRoot] },
    { desc: 'from + 1', args: [from + 1, to, proof, oldRoot, newRoot] },
    { desc: 'from ^ 2', args: [from ^ 2, to, proof, oldRoot, newRoot] },
    { desc: 'to * 2', args: [from, to * 2, proof, oldRoot, newRoot] },
    { desc: 'to / 2', args: [from, Math.floor(to / 2), proof, oldRoot, newRoot] },
    { desc: 'wrong old root', args: [from, to, proof, wrongRoot, newRoot] },
    { desc: 'wrong new root', args: [from, to, proof, oldRoot, wrongRoot] },
    { desc: 'swapped roots', args: [from, to, proof, newRoot, oldRoot] },
    { desc: 'empty proof', args: [from, to, [], oldRoot, newRoot] },
    { desc: 'trailing garbage', args: [from, to, [...proof, new Uint8Array(0)], oldRoot, newRoot] },
    { desc: 'trailing old root', args: [from, to, [...proof, oldRoot], oldRoot, newRoot] },
    { desc: 'trailing new root', args: [from, to, [...proof, newRoot], oldRoot, newRoot] },
    { desc: 'preceding garbage', args: [from, to, [new Uint8Array(0), ...proof], oldRoot, newRoot] },
    { desc: 'preceding old root', args: [from, to, [oldRoot, ...proof], oldRoot, newRoot] },
    { desc: 'preceding new root', args: [from, to, [newRoot, ...proof], oldRoot, newRoot] },
    { desc: 'preceding proof[0]', args: [from, to, [proof[0]!, ...proof], oldRoot, newRoot] },
    { desc: 'truncated', args: [from, to, proof.slice(0, -1), oldRoot, newRoot] },
  ];
  proof.forEach((_, i) => {
    const wrong = proof.map((p) => Uint8Array.from(p));
    wrong[i]![0]! ^= 16;
    probes.push({ desc: `proof[${i}] bit 4`, args: [from, to, wrong, oldRoot, newRoot] });
  });
  return probes;
}

describe('RFC 6962 consistency proofs', () => {
  it.each(CONSISTENCY_PROOFS)(
    '$from → $to: generated as published, verifies, and corruptions fail',
    async (v) => {
      const proof = await consistencyProof(v.from, v.to, referenceStore());
      expect(proof.map(toHex)).toEqual(v.proof);
      expect(verifyConsistency(v.from, v.to, v.proof.map(hex), rootOf(v.from), rootOf(v.to))).toBe(true);
      if (proof.length === 0) return; // equal sizes: covered by the edge cases below
      const accepted = corruptedConsistencies(v.from, v.to, rootOf(v.from), rootOf(v.to), proof)
        .filter((p) => verifyConsistency(...p.args))
        .map((p) => p.desc);
      expect(accepted).toEqual([]);
    },
  );

  it('handles equal sizes, the empty tree and sizes out of order as transparency-dev does', () => {
    const empty = hex(EMPTY_ROOT);
    const [r1, r2] = [rootOf(1), rootOf(2)];
    expect(verifyConsistency(0, 0, [], empty, empty)).toBe(true);
    expect(verifyConsistency(1, 1, [], r1, r1)).toBe(true);
    expect(verifyConsistency(0, 1, [], empty, r1)).toBe(true);
    expect(verifyConsistency(1, 1, [], r1, r2)).toBe(false); // roots differ
    expect(verifyConsistency(0, 0, [], empty, r1)).toBe(false);
    expect(verifyConsistency(1, 1, [empty], r1, r1)).toBe(false); // equal roots, non-empty proof
    expect(verifyConsistency(0, 1, [empty], empty, r1)).toBe(false);
    expect(verifyConsistency(0, 1, [], r1, r1)).toBe(false); // the old root of size 0 must be the empty root
    expect(verifyConsistency(1, 0, [], r1, empty)).toBe(false); // time travel
    expect(verifyConsistency(2, 1, [], r2, r1)).toBe(false);
    expect(verifyConsistency(1, 2, [], r1, r2)).toBe(false); // empty proof
  });
});
