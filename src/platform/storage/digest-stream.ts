import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';

/** A pass-through that hashes and counts what flows through it, so nothing is buffered to hash it. */
export function createDigestStream(): { stream: Transform; result(): { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  let sha256: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return {
    stream,
    result() {
      sha256 ??= hash.digest('hex');
      return { size, sha256 };
    },
  };
}

export function toReadable(body: Readable | Uint8Array): Readable {
  return body instanceof Uint8Array
    ? Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)])
    : body;
}
