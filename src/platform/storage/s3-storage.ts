import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { StorageConfig } from '../../config/index.ts';
import { AppError } from '../errors/index.ts';
import { assertWellFormedRange, rangeNotSatisfiable } from './byte-range.ts';
import { toReadable } from './digest-stream.ts';
import { assertValidObjectKey, assertValidObjectPrefix, reservedKeyPrefix } from './object-key.ts';
import { defaultContentType, type ObjectInfo, type ObjectStorage } from './object-storage.ts';
import { uploadWithSha256, type UploadLimits } from './s3-upload.ts';

export type S3StorageConfig = Extract<StorageConfig, { kind: 's3' }>;

export interface S3StorageOptions {
  /** Bodies up to this size go in one PutObject; larger ones are uploaded in parts (default 8 MiB). */
  singlePutLimitBytes?: number;
  /** Multipart part size (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Above this size the metadata copy is done part by part (default 5 GiB, S3's limit). */
  singleCopyLimitBytes?: number;
  copyPartBytes?: number;
}

const mebibyte = 1024 * 1024;

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function notFound(error: unknown): AppError | undefined {
  const name = errorName(error);
  if (name === 'NoSuchKey' || name === 'NotFound')
    return new AppError('not_found', 'Object not found.', { cause: error });
  return undefined;
}

/**
 * An S3-compatible bucket through the AWS SDK v3; the SHA-256 of each object is its `sha256` user metadata
 * (see `uploadWithSha256`). Keys under `.carebase/` are the adapter's own and never listed.
 */
export function createS3ObjectStorage(
  config: S3StorageConfig,
  options: S3StorageOptions = {},
): ObjectStorage {
  const bucket = config.bucket;
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    // Since SDK 3.729 uploads carry CRC32 checksums by default, which some S3-compatible servers reject.
    // Integrity rests on the SHA-256 sent with single puts and on SigV4's signed payload hash; the same
    // settings run in tests and in production.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
  const uploadLimits: UploadLimits = {
    singlePutLimitBytes: options.singlePutLimitBytes ?? 8 * mebibyte,
    partSize: options.partSize ?? 8 * mebibyte,
    singleCopyLimitBytes: options.singleCopyLimitBytes,
    copyPartBytes: options.copyPartBytes,
  };

  return {
    kind: 's3',
    async put(key, body, putOptions = {}) {
      assertValidObjectKey(key);
      const target = { bucket, key, contentType: putOptions.contentType ?? defaultContentType };
      const { size, sha256 } = await uploadWithSha256(client, target, toReadable(body), uploadLimits);
      return { key, size, sha256 };
    },
    async get(key, getOptions = {}) {
      assertValidObjectKey(key);
      const range = getOptions.range;
      if (range) assertWellFormedRange(range);
      try {
        const response = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
          }),
        );
        const contentLength = response.ContentLength ?? 0;
        const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.ContentRange ?? '');
        const size = contentRange ? Number(contentRange[3]) : contentLength;
        return {
          key,
          size,
          contentType: response.ContentType ?? defaultContentType,
          sha256: response.Metadata?.sha256,
          lastModified: response.LastModified ?? new Date(0),
          body: (response.Body as Readable | undefined) ?? Readable.from([]),
          range: contentRange ? { start: Number(contentRange[1]), end: Number(contentRange[2]) } : undefined,
          contentLength,
        };
      } catch (error) {
        if (errorName(error) === 'InvalidRange') throw rangeNotSatisfiable(error);
        throw notFound(error) ?? error;
      }
    },
    async head(key): Promise<ObjectInfo> {
      assertValidObjectKey(key);
      try {
        const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          key,
          size: response.ContentLength ?? 0,
          contentType: response.ContentType ?? defaultContentType,
          sha256: response.Metadata?.sha256,
          lastModified: response.LastModified ?? new Date(0),
        };
      } catch (error) {
        throw notFound(error) ?? error;
      }
    },
    async delete(key) {
      assertValidObjectKey(key);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async *list(prefix) {
      assertValidObjectPrefix(prefix);
      let continuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key || object.Key.startsWith(reservedKeyPrefix)) continue;
          yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
    },
    async ping() {
      try {
        // Listing needs the same permission as HeadBucket and works on every S3-compatible server.
        await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
      } catch (error) {
        throw new AppError('unavailable', 'Object storage is unreachable.', { cause: error });
      }
    },
    async close() {
      client.destroy();
    },
  };
}
