import { readdir } from 'node:fs/promises';
import path from 'node:path';

const entrySuffix = '.json';

/**
 * Keys under `indexRoot` starting with `prefix`, in the byte order S3 lists in. Within one folder a file
 * `a.json` stands for key segment `a` and a folder `a` for everything under `a/`, so sorting by those
 * strings and walking depth-first yields the keys in order without collecting them all first.
 */
export async function* listIndexedKeys(indexRoot: string, prefix: string): AsyncGenerator<string> {
  const folderPrefix = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  yield* walk(path.join(indexRoot, ...folderPrefix.split('/').filter(Boolean)), folderPrefix, prefix);
}

async function* walk(directory: string, keyPrefix: string, wanted: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  const items = entries
    .map((entry) => {
      if (entry.isDirectory())
        return { kind: 'folder' as const, name: entry.name, sortKey: `${entry.name}/` };
      if (entry.isFile() && entry.name.endsWith(entrySuffix)) {
        const segment = entry.name.slice(0, -entrySuffix.length);
        return { kind: 'object' as const, name: entry.name, sortKey: segment };
      }
      return undefined;
    })
    .filter((item) => item !== undefined)
    .sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
  for (const item of items) {
    const key = keyPrefix + item.sortKey;
    if (item.kind === 'object') {
      if (key.startsWith(wanted)) yield key;
      continue;
    }
    // Descend only where keys can still start with the wanted prefix.
    if (key.startsWith(wanted) || wanted.startsWith(key))
      yield* walk(path.join(directory, item.name), key, wanted);
  }
}
