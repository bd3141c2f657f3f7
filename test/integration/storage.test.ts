import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStorage, type ObjectStorage } from '../../src/platform/storage/index.ts';
import { startTestS3Server, type TestS3Server } from '../support/s3-server.ts';

const mebibyte = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Deterministic bytes that do not repeat within a part, produced in 64 KiB chunks. */
function generatedBytes(size: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) data.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
  return data;
}
function chunkedStream(data: Buffer, chunkBytes = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < data.length; offset += chunkBytes)
        yield data.subarray(offset, offset + chunkBytes);
    })(),
  );
}

interface StorageBackend {
  name: 'local' | 's3';
  open(): Promise<{ storage: ObjectStorage; cleanup(): Promise<void> }>;
}

let s3Server: TestS3Server | undefined;

const backends: StorageBackend[] = [
  {
    name: 'local',
    async open() {
      const root = await mkdtemp(path.join(tmpdir(), 'carebase-storage-'));
      const storage = await createObjectStorage({ kind: 'local', root: path.join(root, 'objects') });
      return { storage, cleanup: () => rm(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async open() {
      s3Server = await startTestS3Server();
      // Small limits so that the multipart upload and the multipart metadata copy both run.
      const storage = await createObjectStorage(s3Server.config, {
        s3: {
          singlePutLimitBytes: mebibyte,
          partSize: 5 * mebibyte,
          singleCopyLimitBytes: 8 * mebibyte,
          copyPartBytes: 5 * mebibyte,
        },
      });
      return { storage, cleanup: async () => s3Server?.close() };
    },
  },
];

describe.each(backends)('object storage on $name', (backend) => {
  let storage: ObjectStorage;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, cleanup } = await backend.open());
  });

  afterAll(async () => {
    await storage?.close();
    await cleanup?.();
  });

  it('reports its kind and answers ping', async () => {
    expect(storage.kind).toBe(backend.name);
    await expect(storage.ping()).resolves.toBeUndefined();
  });

  it('stores a buffer with its hash and content type, and reads it back', async () => {
    const data = Buffer.from('#EXTM3U\n#EXT-X-VERSION:7\n');
    const put = await storage.put('videos/v1/master.m3u8', data, {
      contentType: 'application/vnd.apple.mpegurl',
    });
    expect(put).toEqual({ key: 'videos/v1/master.m3u8', size: data.length, sha256: sha256(data) });
    const head = await storage.head('videos/v1/master.m3u8');
    expect(head).toMatchObject({
      size: data.length,
      sha256: sha256(data),
      contentType: 'application/vnd.apple.mpegurl',
    });
    expect(head.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const read = await storage.get('videos/v1/master.m3u8');
    expect(read).toMatchObject({
      size: data.length,
      contentLength: data.length,
      sha256: sha256(data),
      range: undefined,
    });
    expect(await buffer(read.body)).toEqual(data);
  });

  it('streams a 12 MiB body, hashing it on the way, and returns it intact', async () => {
    const data = generatedBytes(12 * mebibyte);
    const put = await storage.put('uploads/u1/source.mp4', chunkedStream(data), { contentType: 'video/mp4' });
    expect(put).toEqual({ key: 'uploads/u1/source.mp4', size: data.length, sha256: sha256(data) });
    expect(await storage.head('uploads/u1/source.mp4')).toMatchObject({
      size: data.length,
      sha256: sha256(data),
      contentType: 'video/mp4',
    });
    const read = await storage.get('uploads/u1/source.mp4');
    expect(sha256(await buffer(read.body))).toBe(sha256(data));
  });

  it('stores a 3 MiB body (above the single-put limit on S3) intact', async () => {
    const data = generatedBytes(3 * mebibyte);
    const put = await storage.put('uploads/u2/source.mp4', chunkedStream(data));
    expect(put.sha256).toBe(sha256(data));
    const read = await storage.get('uploads/u2/source.mp4');
    expect(read.contentType).toBe('application/octet-stream');
    expect(sha256(await buffer(read.body))).toBe(sha256(data));
  });

  it('reads byte ranges, clamping an end past the object', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    await storage.put('videos/v1/720p/seg-00001.m4s', data, { contentType: 'video/iso.segment' });
    const middle = await storage.get('videos/v1/720p/seg-00001.m4s', { range: { start: 5, end: 9 } });
    expect(middle).toMatchObject({
      size: 20,
      contentLength: 5,
      range: { start: 5, end: 9 },
      contentType: 'video/iso.segment',
      sha256: sha256(data),
    });
    expect((await buffer(middle.body)).toString()).toBe('56789');
    const tail = await storage.get('videos/v1/720p/seg-00001.m4s', { range: { start: 15 } });
    expect(tail).toMatchObject({ contentLength: 5, range: { start: 15, end: 19 } });
    expect((await buffer(tail.body)).toString()).toBe('fghij');
    const clamped = await storage.get('videos/v1/720p/seg-00001.m4s', { range: { start: 18, end: 1_000 } });
    expect(clamped).toMatchObject({ contentLength: 2, range: { start: 18, end: 19 } });
    expect((await buffer(clamped.body)).toString()).toBe('ij');
    const large = await storage.get('uploads/u1/source.mp4', {
      range: { start: 7 * mebibyte, end: 7 * mebibyte + 99 },
    });
    expect(await buffer(large.body)).toEqual(
      generatedBytes(12 * mebibyte).subarray(7 * mebibyte, 7 * mebibyte + 100),
    );
  });

  it('refuses a range that starts past the end, and a malformed one', async () => {
    await expect(storage.get('videos/v1/720p/seg-00001.m4s', { range: { start: 20 } })).rejects.toMatchObject(
      {
        code: 'invalid_request',
        reason: 'range_not_satisfiable',
      },
    );
    await expect(
      storage.get('videos/v1/720p/seg-00001.m4s', { range: { start: 5, end: 4 } }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      reason: 'invalid_range',
    });
    await expect(storage.get('videos/v1/720p/seg-00001.m4s', { range: { start: -1 } })).rejects.toMatchObject(
      { code: 'invalid_request' },
    );
  });

  it('stores an empty object', async () => {
    const put = await storage.put('empty/file', Buffer.alloc(0));
    expect(put).toEqual({ key: 'empty/file', size: 0, sha256: sha256(Buffer.alloc(0)) });
    const read = await storage.get('empty/file');
    expect(read.size).toBe(0);
    expect((await buffer(read.body)).length).toBe(0);
  });

  it('replaces an object on a second put', async () => {
    await storage.put('replace/me', Buffer.from('first'), { contentType: 'text/plain' });
    const second = Buffer.from('second version');
    await storage.put('replace/me', second, { contentType: 'application/json' });
    const read = await storage.get('replace/me');
    expect(read).toMatchObject({
      size: second.length,
      sha256: sha256(second),
      contentType: 'application/json',
    });
    expect(await buffer(read.body)).toEqual(second);
  });

  it('answers not_found for a missing object and deletes idempotently', async () => {
    await expect(storage.get('missing/object')).rejects.toMatchObject({ code: 'not_found' });
    await expect(storage.head('missing/object')).rejects.toMatchObject({ code: 'not_found' });
    await storage.put('delete/me', Buffer.from('x'));
    await storage.delete('delete/me');
    await expect(storage.head('delete/me')).rejects.toMatchObject({ code: 'not_found' });
    await expect(storage.delete('delete/me')).resolves.toBeUndefined();
  });

  it('lists by prefix', async () => {
    for (const key of ['list/b', 'list/a/2', 'list/a/1', 'list/a-z', 'list/c.txt', 'listing/other'])
      await storage.put(key, Buffer.from(key));
    // Sorted here: S3 lists in key order, s3rver in its file system's order (local order is a unit test).
    const listed = async (prefix: string) => {
      const keys: string[] = [];
      for await (const object of storage.list(prefix)) keys.push(object.key);
      return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    };
    expect(await listed('list/')).toEqual(['list/a-z', 'list/a/1', 'list/a/2', 'list/b', 'list/c.txt']);
    expect(await listed('list/a')).toEqual(['list/a-z', 'list/a/1', 'list/a/2']);
    expect(await listed('list')).toEqual([
      'list/a-z',
      'list/a/1',
      'list/a/2',
      'list/b',
      'list/c.txt',
      'listing/other',
    ]);
    expect(await listed('nothing/here/')).toEqual([]);
    const all = await listed('');
    expect(all).toContain('videos/v1/master.m3u8');
    expect(all.some((key) => key.startsWith('.carebase'))).toBe(false);
    for await (const object of storage.list('list/b'))
      expect(object).toMatchObject({ key: 'list/b', size: 6 });
  });

  it('leaves nothing behind when the body fails midway', async () => {
    const failing = Readable.from(
      (async function* () {
        yield generatedBytes(2 * mebibyte);
        throw new Error('client went away');
      })(),
    );
    await expect(storage.put('broken/upload', failing)).rejects.toThrow(/client went away/);
    await expect(storage.head('broken/upload')).rejects.toMatchObject({ code: 'not_found' });
  });

  it.each([
    '../escape',
    'a/../../escape',
    '/etc/passwd',
    'a\\..\\escape',
    'a\u0000b',
    'a//b',
    './a',
    '.carebase/staging/x',
  ])('refuses the key %j for every operation', async (key) => {
    const refused = { code: 'invalid_request', reason: 'invalid_object_key' };
    await expect(storage.put(key, Buffer.from('x'))).rejects.toMatchObject(refused);
    await expect(storage.get(key)).rejects.toMatchObject(refused);
    await expect(storage.head(key)).rejects.toMatchObject(refused);
    await expect(storage.delete(key)).rejects.toMatchObject(refused);
  });

  it('refuses a list prefix that climbs out of the root', async () => {
    const list = async (prefix: string) => {
      for await (const object of storage.list(prefix)) void object;
    };
    await expect(list('../')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(list('a/../..')).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('object storage on local: path traversal', () => {
  it('writes nothing outside its root whatever the key', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'carebase-traversal-'));
    try {
      const storage = await createObjectStorage({ kind: 'local', root: path.join(parent, 'root') });
      for (const key of ['../escape', '../../escape', 'x/../../escape', '..', '/tmp/escape', '..\\escape']) {
        await expect(storage.put(key, Buffer.from('payload'))).rejects.toMatchObject({
          code: 'invalid_request',
        });
      }
      expect(await readdir(parent)).toEqual(['root']);
      expect((await readdir(path.join(parent, 'root'))).sort()).toEqual(['blobs', 'index', 'tmp']);
      expect(await readdir(path.join(parent, 'root', 'index'))).toEqual([]);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe('object storage on s3: metadata and staging', () => {
  let server: TestS3Server;
  let storage: ObjectStorage;
  let raw: S3Client;

  beforeAll(async () => {
    server = await startTestS3Server();
    storage = await createObjectStorage(server.config, {
      s3: { singlePutLimitBytes: mebibyte, partSize: 5 * mebibyte },
    });
    raw = new S3Client({
      region: server.config.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });

  afterAll(async () => {
    raw?.destroy();
    await storage?.close();
    await server?.close();
  });

  it('stores the sha256 as object metadata, for small and multipart bodies, and removes the staging copy', async () => {
    const small = Buffer.from('small');
    const large = generatedBytes(6 * mebibyte);
    await storage.put('meta/small', small);
    await storage.put('meta/large', chunkedStream(large));
    for (const [key, data] of [
      ['meta/small', small],
      ['meta/large', large],
    ] as const) {
      const head = await raw.send(new HeadObjectCommand({ Bucket: server.config.bucket, Key: key }));
      expect(head.Metadata?.sha256).toBe(sha256(data));
      expect(head.ContentLength).toBe(data.length);
    }
    const staging = await raw.send(
      new ListObjectsV2Command({ Bucket: server.config.bucket, Prefix: '.carebase/' }),
    );
    expect(staging.Contents ?? []).toEqual([]);
  });

  it('object requests are signature-checked: a wrong secret is refused', async () => {
    const wrongSecret = await createObjectStorage({ ...server.config, secretAccessKey: 'not-the-secret' });
    await expect(wrongSecret.put('signed/object', Buffer.from('x'))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    await wrongSecret.close();
  });

  it('ping fails with unavailable when the bucket does not exist', async () => {
    const missing = await createObjectStorage({ ...server.config, bucket: 'no-such-bucket' });
    await expect(missing.ping()).rejects.toMatchObject({ code: 'unavailable' });
    await missing.close();
  });
});
