import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

const staleTemporaryAgeMs = 24 * 60 * 60 * 1_000;

/** Writes interrupted by a crash leave files in `tmp/`; a day later nothing can still be writing them. */
export async function removeStaleTemporaryFiles(directory: string, now = Date.now()): Promise<void> {
  for (const name of await readdir(directory)) {
    const file = path.join(directory, name);
    try {
      if (now - (await stat(file)).mtimeMs > staleTemporaryAgeMs)
        await rm(file, { force: true, recursive: true });
    } catch {
      // Removed meanwhile, or not ours to remove: not a reason to refuse to start.
    }
  }
}

/** Removes the folders left empty by a delete, up to (not including) `root`. */
export async function pruneEmptyFolders(from: string, root: string): Promise<void> {
  for (let directory = from; directory.startsWith(root + path.sep); directory = path.dirname(directory)) {
    try {
      await rmdir(directory);
    } catch {
      return; // not empty (or already gone): the folders above are not empty either
    }
  }
}

const keyLocks = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call for the same key has finished. Serialises the read-replace-clean
 * steps of put and delete on one key, so that two writers never leave the other's blob unreferenced.
 */
export async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = keyLocks.get(key) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(fn);
  const settled = current.catch(() => undefined);
  keyLocks.set(key, settled);
  try {
    return await current;
  } finally {
    if (keyLocks.get(key) === settled) keyLocks.delete(key);
  }
}
