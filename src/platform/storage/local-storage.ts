import { randomUUID } from 'node:crypto';
import { createWriteStream, constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors/index.ts';
import { resolveRange } from './byte-range.ts';
import { createDigestStream, toReadable } from './digest-stream.ts';
import { pruneEmptyFolders, removeStaleTemporaryFiles, withKeyLock } from './local-housekeeping.ts';
import { listIndexedKeys } from './local-index-walk.ts';
import { assertValidObjectKey, assertValidObjectPrefix } from './object-key.ts';
import { defaultContentType, type ObjectInfo, type ObjectStorage } from './object-storage.ts';

/** The sidecar of one key: what `head` answers without touching the data. */
interface IndexEntry {
  blob: string;
  size: number;
  sha256: string;
  contentType: string;
  lastModified: string;
}

const blobNamePattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isMissingPath(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Objects as files under `root`:
 * - `blobs/<aa>/<uuid>`: the bytes, written once and never modified;
 * - `index/<key>.json`: the sidecar naming the blob with its size, SHA-256 and content type;
 * - `tmp/`: writes in progress.
 * A put streams into `tmp/` while hashing, moves the blob in place, then renames the sidecar over the
 * old one: that single rename publishes data and metadata together, so a reader never sees new bytes with
 * an old hash, and a crash leaves at worst an unreferenced blob.
 */
export async function createLocalObjectStorage(root: string): Promise<ObjectStorage> {
  const directories = {
    index: path.resolve(root, 'index'),
    blobs: path.resolve(root, 'blobs'),
    tmp: path.resolve(root, 'tmp'),
  };
  for (const directory of Object.values(directories))
    await mkdir(directory, { recursive: true, mode: 0o700 });
  await removeStaleTemporaryFiles(directories.tmp);

  const indexPath = (key: string): string => {
    assertValidObjectKey(key);
    const file = `${path.join(directories.index, ...key.split('/'))}.json`;
    // Defense in depth: validation already makes this impossible.
    if (path.relative(directories.index, file).startsWith('..'))
      throw new AppError('invalid_request', 'Object key is not valid.');
    return file;
  };

  const blobPath = (blob: string): string => {
    if (!blobNamePattern.test(blob)) throw new AppError('internal', 'A storage index entry is corrupt.');
    return path.join(directories.blobs, blob.slice(0, 2), blob);
  };

  const readEntry = async (key: string): Promise<IndexEntry | undefined> => {
    try {
      return JSON.parse(await readFile(indexPath(key), 'utf8')) as IndexEntry;
    } catch (error) {
      if (isMissingPath(error)) return undefined;
      throw error;
    }
  };

  const requireEntry = async (key: string): Promise<IndexEntry> => {
    const entry = await readEntry(key);
    if (!entry) throw new AppError('not_found', 'Object not found.');
    return entry;
  };

  const toInfo = (key: string, entry: IndexEntry): ObjectInfo => ({
    key,
    size: entry.size,
    contentType: entry.contentType,
    sha256: entry.sha256,
    lastModified: new Date(entry.lastModified),
  });

  /** Renames the sidecar into place, creating its folder; retried once if a delete pruned the folder meanwhile. */
  const publishEntry = async (temporary: string, target: string) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        await rename(temporary, target);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && attempt === 0) continue;
        if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
          throw new AppError('conflict', 'Another object occupies part of this key.', { cause: error });
        }
        throw error;
      }
    }
  };

  return {
    kind: 'local',
    async put(key, body, options = {}) {
      const target = indexPath(key);
      const blob = randomUUID();
      const temporaryBlob = path.join(directories.tmp, `${blob}.data`);
      const temporaryEntry = path.join(directories.tmp, `${blob}.json`);
      const finalBlob = blobPath(blob);
      let published = false;
      try {
        const digest = createDigestStream();
        await pipeline(
          toReadable(body),
          digest.stream,
          createWriteStream(temporaryBlob, { flags: 'wx', mode: 0o600, flush: true }),
        );
        const { size, sha256 } = digest.result();
        const entry: IndexEntry = {
          blob,
          size,
          sha256,
          contentType: options.contentType ?? defaultContentType,
          lastModified: new Date().toISOString(),
        };
        await mkdir(path.dirname(finalBlob), { recursive: true, mode: 0o700 });
        await rename(temporaryBlob, finalBlob);
        await writeFile(temporaryEntry, JSON.stringify(entry), { flag: 'wx', mode: 0o600, flush: true });
        await withKeyLock(target, async () => {
          const previous = await readEntry(key);
          await publishEntry(temporaryEntry, target);
          published = true;
          if (previous) await rm(blobPath(previous.blob), { force: true });
        });
        return { key, size, sha256 };
      } finally {
        await rm(temporaryBlob, { force: true });
        await rm(temporaryEntry, { force: true });
        if (!published) await rm(finalBlob, { force: true });
      }
    },
    async get(key, options = {}) {
      // A concurrent put or delete may remove the blob between reading the sidecar and opening it.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const entry = await requireEntry(key);
        let handle: FileHandle;
        try {
          handle = await open(blobPath(entry.blob), 'r');
        } catch (error) {
          if (isMissingPath(error)) continue;
          throw error;
        }
        try {
          const range = options.range ? resolveRange(options.range, entry.size) : undefined;
          const body = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
          const contentLength = range ? range.end - range.start + 1 : entry.size;
          return { ...toInfo(key, entry), body, range, contentLength };
        } catch (error) {
          await handle.close();
          throw error;
        }
      }
      throw new AppError('not_found', 'Object not found.');
    },
    async head(key) {
      return toInfo(key, await requireEntry(key));
    },
    async delete(key) {
      const target = indexPath(key);
      await withKeyLock(target, async () => {
        const entry = await readEntry(key);
        if (!entry) return;
        await rm(target, { force: true });
        await rm(blobPath(entry.blob), { force: true });
        await pruneEmptyFolders(path.dirname(target), directories.index);
      });
    },
    async *list(prefix) {
      assertValidObjectPrefix(prefix);
      for await (const key of listIndexedKeys(directories.index, prefix)) {
        const entry = await readEntry(key);
        if (entry) yield { key, size: entry.size, lastModified: new Date(entry.lastModified) };
      }
    },
    async ping() {
      await access(directories.index, fsConstants.W_OK);
      await access(directories.tmp, fsConstants.W_OK);
    },
    async close() {},
  };
}
