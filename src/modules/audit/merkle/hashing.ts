import crypto from 'node:crypto';

/** RFC 6962 uses SHA-256 throughout; every hash in the tree is 32 bytes. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/**
 * One-shot hashing with a text digest: in Node 20 `crypto.hash(…, 'binary')` (latin1) costs about 0.2 µs for a
 * 65-byte input where a Buffer digest (`'buffer'`, or `createHash`) costs 0.7–0.9 µs, almost all of it
 * allocating the result. The 32 one-byte characters are copied into the caller's buffer instead.
 */
const latin1Sha256: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary');

/** Writes SHA-256(data) to out[offset, offset + 32). */
export function sha256Into(data: Uint8Array, out: Uint8Array, offset: number): void {
  const digest = latin1Sha256(data);
  for (let i = 0; i < HASH_SIZE; i++) out[offset + i] = digest.charCodeAt(i);
}

const oneShotSha256 = (data: Uint8Array): Uint8Array => {
  const out = Buffer.allocUnsafe(HASH_SIZE);
  sha256Into(data, out, 0);
  return out;
};

const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = NODE_PREFIX;

/** Entries larger than this are hashed in two updates rather than copied into a scratch buffer kept alive forever. */
const LEAF_SCRATCH_LIMIT = 64 * 1024;
let leafScratch = Buffer.alloc(1 + 1024);

/** SHA-256 of the empty string: the root of the empty tree (RFC 6962 §2.1). */
export function emptyRoot(): Uint8Array {
  return oneShotSha256(new Uint8Array(0));
}

/** Leaf hash `SHA-256(0x00 ‖ entry)` (RFC 6962 §2.1). */
export function leafHash(entry: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(HASH_SIZE);
  leafHashInto(entry, 0, entry.length, out, 0);
  return out;
}

/** Interior node hash `SHA-256(0x01 ‖ left ‖ right)` (RFC 6962 §2.1). Both children must be 32-byte hashes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`node children must be ${HASH_SIZE}-byte hashes`);
  }
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return oneShotSha256(nodeScratch);
}

/**
 * The node hash of the two children stored side by side at children[from, from + 64), written to
 * out[offset, offset + 32): the bulk form of `nodeHash`, without allocating (`out` may be `children`).
 */
export function nodeHashInto(children: Uint8Array, from: number, out: Uint8Array, offset: number): void {
  const scratch = nodeScratch;
  for (let i = 0; i < 2 * HASH_SIZE; i++) scratch[1 + i] = children[from + i] as number;
  sha256Into(scratch, out, offset);
}

/** The leaf hash of bytes[start, end), written to out[offset, offset + 32): the bulk form of `leafHash`. */
export function leafHashInto(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): void {
  const length = end - start;
  if (length > LEAF_SCRATCH_LIMIT) {
    const digest = crypto
      .createHash('sha256')
      .update(Uint8Array.of(LEAF_PREFIX))
      .update(bytes.subarray(start, end))
      .digest();
    out.set(digest, offset);
    return;
  }
  if (leafScratch.length < length + 1) {
    leafScratch = Buffer.alloc(Math.max(length + 1, leafScratch.length * 2));
  }
  leafScratch[0] = LEAF_PREFIX;
  leafScratch.set(bytes.subarray(start, end), 1);
  sha256Into(leafScratch.subarray(0, length + 1), out, offset);
}

export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Byte equality of two hashes (the inputs are public, so no constant-time comparison is needed). */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
