import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../platform/errors/index.ts';
import {
  CompactMerkleTree,
  MemoryNodeStore,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeReaderFromLeafHashes,
  rootAtSize,
  type LeafHashReader,
} from './index.ts';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const LEAVES = Array.from({ length: 70 }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`)));

function memoryStore(): MemoryNodeStore {
  const store = new MemoryNodeStore();
  const tree = new CompactMerkleTree({ onNode: store.record });
  LEAVES.forEach((h) => tree.appendLeafHash(h));
  return store;
}

/** A leaf-only store answering asynchronously, as a database would, and counting its reads. */
function leafOnlyStore(): LeafHashReader & { reads: number } {
  return {
    reads: 0,
    async getLeafHashes(start, end) {
      this.reads += 1;
      await Promise.resolve();
      return LEAVES.slice(start, end);
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('MemoryNodeStore', () => {
  it('grows past its initial capacity and serves any past root', async () => {
    const store = memoryStore();
    expect(store.size).toBe(70);
    const tree = new CompactMerkleTree();
    for (let size = 1; size <= 70; size++) {
      tree.appendLeafHash(LEAVES[size - 1]!);
      expect(toHex(await rootAtSize(size, store))).toBe(toHex(tree.root()));
    }
  });

  it('refuses nodes out of order and never invents missing ones', async () => {
    const store = new MemoryNodeStore();
    expect(() => store.record(0, 1, LEAVES[0]!)).toThrow(/out of order/);
    expect(() => store.record(0, 0, new Uint8Array(8))).toThrow(RangeError);
    store.record(0, 0, LEAVES[0]!);
    expect(() => store.getNodeHashes([{ level: 0, index: 1 }])).toThrow(/not stored/);
    expect(() => store.getNodeHashes([{ level: 3, index: 0 }])).toThrow(/not stored/);
    await expect(inclusionProof(0, 2, store)).rejects.toThrow(/not stored/);
  });
});

describe('nodeReaderFromLeafHashes', () => {
  it('gives the same proofs as the node store from leaf hashes alone', async () => {
    const nodes = memoryStore();
    const leafReader = leafOnlyStore();
    const fromLeaves = nodeReaderFromLeafHashes(leafReader);
    for (const [index, size] of [
      [0, 1],
      [5, 70],
      [69, 70],
      [31, 33],
      [40, 64],
    ] as const) {
      expect((await inclusionProof(index, size, fromLeaves)).map(toHex)).toEqual(
        (await inclusionProof(index, size, nodes)).map(toHex),
      );
    }
    for (const [from, to] of [
      [1, 70],
      [7, 8],
      [33, 70],
      [64, 70],
      [70, 70],
    ] as const) {
      expect((await consistencyProof(from, to, fromLeaves)).map(toHex)).toEqual(
        (await consistencyProof(from, to, nodes)).map(toHex),
      );
    }
    expect(leafReader.reads).toBeGreaterThan(0);
  });

  it('fails when leaves are missing', async () => {
    const reader = nodeReaderFromLeafHashes({
      getLeafHashes: (start, end) => LEAVES.slice(start, Math.min(end, 10)),
    });
    await expect(inclusionProof(0, 20, reader)).rejects.toThrow(/not all available/);
  });
});

describe('proof requests', () => {
  it.each([
    ['index beyond size', () => inclusionProof(5, 5, memoryStore()), 'index_beyond_size'],
    ['negative index', () => inclusionProof(-1, 5, memoryStore()), 'invalid_tree_position'],
    ['fractional size', () => inclusionProof(0, 1.5, memoryStore()), 'invalid_tree_position'],
    ['sizes out of order', () => consistencyProof(6, 5, memoryStore()), 'sizes_out_of_order'],
    ['unsafe size', () => consistencyProof(1, 2 ** 53, memoryStore()), 'invalid_tree_size'],
    ['negative root size', () => rootAtSize(-1, memoryStore()), 'invalid_tree_size'],
  ] as const)('rejects %s as an invalid request', async (_name, request, reason) => {
    const error = await rejection(request());
    expect(isAppError(error) && error.code === 'invalid_request' && error.reason === reason).toBe(true);
  });

  it('needs no reads for empty proofs', async () => {
    const noReads = {
      getNodeHashes: () => {
        throw new Error('unexpected read');
      },
    };
    expect(await inclusionProof(0, 1, noReads)).toEqual([]);
    expect(await consistencyProof(0, 9, noReads)).toEqual([]);
    expect(await consistencyProof(9, 9, noReads)).toEqual([]);
  });
});
