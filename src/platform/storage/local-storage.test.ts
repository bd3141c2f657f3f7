import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalObjectStorage } from './local-storage.ts';
import type { ObjectStorage } from './object-storage.ts';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

describe('local object storage', () => {
  let root: string;
  let storage: ObjectStorage;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'carebase-local-storage-'));
    storage = await createLocalObjectStorage(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the bytes in a blob and size, hash and content type in a sidecar', async () => {
    await storage.put('videos/v1/master.m3u8', Buffer.from('#EXTM3U'), {
      contentType: 'application/vnd.apple.mpegurl',
    });
    const sidecar = JSON.parse(
      await readFile(path.join(root, 'index', 'videos', 'v1', 'master.m3u8.json'), 'utf8'),
    );
    expect(sidecar).toMatchObject({
      size: 7,
      sha256: sha256('#EXTM3U'),
      contentType: 'application/vnd.apple.mpegurl',
    });
    const blobs = await filesUnder(path.join(root, 'blobs'));
    expect(blobs).toEqual([path.join(sidecar.blob.slice(0, 2), sidecar.blob)]);
    expect(await readFile(path.join(root, 'blobs', blobs[0] ?? ''), 'utf8')).toBe('#EXTM3U');
    expect(await filesUnder(path.join(root, 'tmp'))).toEqual([]);
  });

  it('replacing an object removes the old blob, and a reader that opened it still gets the old bytes', async () => {
    await storage.put('k', Buffer.from('old contents'));
    const reading = await storage.get('k');
    await storage.put('k', Buffer.from('new'));
    expect((await buffer(reading.body)).toString()).toBe('old contents');
    expect((await buffer((await storage.get('k')).body)).toString()).toBe('new');
    expect(await filesUnder(path.join(root, 'blobs'))).toHaveLength(1);
  });

  it('concurrent puts of one key leave one consistent object and one blob', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.from(`version ${i} `.repeat(1_000 * (i + 1))));
    await Promise.all(bodies.map((body) => storage.put('contended', Readable.from([body]))));
    const read = await storage.get('contended');
    const data = await buffer(read.body);
    expect(bodies.some((body) => body.equals(data))).toBe(true);
    expect(read.sha256).toBe(sha256(data));
    expect(read.size).toBe(data.length);
    expect(await filesUnder(path.join(root, 'blobs'))).toHaveLength(1);
  });

  it('delete removes blob, sidecar and the folders it leaves empty', async () => {
    await storage.put('videos/v1/720p/seg-1.m4s', Buffer.from('a'));
    await storage.put('videos/v2/master.m3u8', Buffer.from('b'));
    await storage.delete('videos/v1/720p/seg-1.m4s');
    expect(await readdir(path.join(root, 'index', 'videos'))).toEqual(['v2']);
    expect(await filesUnder(path.join(root, 'blobs'))).toHaveLength(1);
  });

  it('a failed put leaves no file behind', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(100_000, 1);
        throw new Error('upload aborted');
      })(),
    );
    await expect(storage.put('broken', failing)).rejects.toThrow(/upload aborted/);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('lists keys in byte order, as S3 does', async () => {
    for (const key of ['b', 'a/2', 'a/1', 'a-z', 'a', 'a.b', 'c/d/e'])
      await storage.put(key, Buffer.from(key));
    const keys: string[] = [];
    for await (const object of storage.list('')) keys.push(object.key);
    expect(keys).toEqual(['a', 'a-z', 'a.b', 'a/1', 'a/2', 'b', 'c/d/e']);
  });

  it('refuses a key whose folder is occupied by another object with conflict', async () => {
    await storage.put('report', Buffer.from('x'));
    await expect(storage.put('report.json/part', Buffer.from('y'))).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await buffer((await storage.get('report')).body)).toString()).toBe('x');
  });

  it('removes day-old temporary files on open and keeps recent ones', async () => {
    const stale = path.join(root, 'tmp', 'crashed.data');
    const recent = path.join(root, 'tmp', 'in-progress.data');
    await writeFile(stale, 'x');
    await writeFile(recent, 'y');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1_000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    await createLocalObjectStorage(root);
    expect(await readdir(path.join(root, 'tmp'))).toEqual(['in-progress.data']);
  });

  it('answers not_found for a key below an existing object', async () => {
    await storage.put('file', Buffer.from('x'));
    await expect(storage.head('file/below')).rejects.toMatchObject({ code: 'not_found' });
    await expect(storage.get('file/below')).rejects.toMatchObject({ code: 'not_found' });
  });
});
