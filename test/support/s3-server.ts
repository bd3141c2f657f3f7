import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3StorageConfig } from '../../src/platform/storage/index.ts';

/** The part of @20minutes/s3rver (a maintained fork of s3rver, CommonJS without types) used here. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  /** Koa's middleware list, composed when the server starts. */
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
}
interface KoaContext {
  path: string;
  app: object;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverConstructor;

/**
 * s3rver signs bucket-level requests (ListObjectsV2, HeadBucket: `/<bucket>/`) over `/<bucket>`, while
 * the SDK, like S3 itself, signs the path it sends, so their signatures never match. For those requests
 * only, the mismatch is tolerated (the access key is still checked); object requests (put, get, copy,
 * multipart) keep full SigV4 verification. The override is per request: `ctx.app` is replaced for this
 * context alone.
 */
async function relaxSignatureOfBucketRequests(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  if (/^\/[^/]+\/?$/.test(ctx.path))
    ctx.app = Object.create(ctx.app, { allowMismatchedSignatures: { value: true } }) as object;
  await next();
}

export interface TestS3Server {
  endpoint: string;
  /** A storage configuration for the server's bucket, with the server's fixed credentials. */
  config: S3StorageConfig;
  /** Where the server keeps the bucket's files. */
  directory: string;
  close(): Promise<void>;
}

/**
 * A real S3 API server (SigV4 checked, multipart, copy, ranges) on a random 127.0.0.1 port, storing
 * into a fresh temporary folder with one empty bucket.
 */
export async function startTestS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'carebase-s3-'));
  const bucket = `carebase-test-${randomUUID().slice(0, 8)}`;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  server.middleware.unshift(relaxSignatureOfBucketRequests);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    config: {
      kind: 's3',
      bucket,
      region: 'us-east-1',
      endpoint,
      // The only credentials s3rver accepts.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
