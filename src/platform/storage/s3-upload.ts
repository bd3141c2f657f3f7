import { createHash, randomUUID, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { reservedKeyPrefix } from './object-key.ts';
import { copyWithMetadata } from './s3-copy.ts';

const stagingPrefix = `${reservedKeyPrefix}staging/`;

export interface UploadLimits {
  singlePutLimitBytes: number;
  partSize: number;
  singleCopyLimitBytes: number | undefined;
  copyPartBytes: number | undefined;
}

interface Digest {
  hash: Hash;
  size: number;
}

/** Yields the body's chunks as Buffers while hashing and counting them. */
async function* hashed(source: AsyncIterable<unknown>, digest: Digest) {
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    digest.hash.update(buffer);
    digest.size += buffer.length;
    yield buffer;
  }
}

/**
 * Stores `source` under `key` with its SHA-256 as user metadata (`x-amz-meta-sha256`). Metadata goes
 * before the body, so the hash is known up front only for a body small enough to hold: that one is sent in
 * a single PutObject. A larger body streams through `Upload` (multipart) into a staging key, then is copied
 * server-side to its key with the metadata, so the object still appears whole. A bucket lifecycle rule
 * should expire `.carebase/staging/` after a day, for uploads cut short by a crash.
 */
export async function uploadWithSha256(
  client: S3Client,
  target: { bucket: string; key: string; contentType: string },
  source: Readable,
  limits: UploadLimits,
): Promise<{ size: number; sha256: string }> {
  const digest: Digest = { hash: createHash('sha256'), size: 0 };
  const chunks = hashed(source, digest);
  try {
    const head: Buffer[] = [];
    let headBytes = 0;
    let next = await chunks.next();
    while (!next.done && headBytes + next.value.length <= limits.singlePutLimitBytes) {
      head.push(next.value);
      headBytes += next.value.length;
      next = await chunks.next();
    }
    if (next.done) {
      const checksum = digest.hash.digest();
      await client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          Body: Buffer.concat(head, headBytes),
          ContentType: target.contentType,
          Metadata: { sha256: checksum.toString('hex') },
          // S3 checks the stored bytes against this.
          ChecksumSHA256: checksum.toString('base64'),
        }),
      );
      return { size: digest.size, sha256: checksum.toString('hex') };
    }
    const first = next.value;
    const body = Readable.from(
      (async function* () {
        yield* head;
        yield first;
        yield* chunks;
      })(),
    );
    return await uploadThroughStaging(client, target, body, digest, limits);
  } catch (error) {
    // Whatever produced the body (an HTTP request, a file) must not wait forever for a reader.
    source.destroy();
    throw error;
  }
}

async function uploadThroughStaging(
  client: S3Client,
  target: { bucket: string; key: string; contentType: string },
  body: Readable,
  digest: Digest,
  limits: UploadLimits,
): Promise<{ size: number; sha256: string }> {
  const stagingKey = `${stagingPrefix}${randomUUID()}`;
  try {
    await new Upload({
      client,
      params: { Bucket: target.bucket, Key: stagingKey, Body: body, ContentType: target.contentType },
      partSize: limits.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    }).done();
    const sha256 = digest.hash.digest('hex');
    await copyWithMetadata(client, {
      bucket: target.bucket,
      sourceKey: stagingKey,
      targetKey: target.key,
      size: digest.size,
      contentType: target.contentType,
      metadata: { sha256 },
      singleCopyLimitBytes: limits.singleCopyLimitBytes,
      copyPartBytes: limits.copyPartBytes,
    });
    return { size: digest.size, sha256 };
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: stagingKey })).catch(() => {});
  }
}
