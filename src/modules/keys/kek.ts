import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateKeyFile, open, seal } from '../../platform/crypto/index.ts';
import { AppError } from '../../platform/errors/index.ts';

/**
 * Institution key-encryption keys. Data keys are wrapped by the current KEK of their institution; older
 * KEK versions stay available for unwrapping until every data key has been re-wrapped (`rotate`).
 * Embedded mode keeps them in local 0600 key files; production plugs a KMS in behind the same interface.
 */
export interface KeyEncryptionKeys {
  /** Wraps `dek` under the institution's current KEK; `owner` is bound as associated data. */
  wrap(institutionId: string, owner: string, dek: Buffer): Promise<{ kekId: string; wrapped: Buffer }>;
  unwrap(kekId: string, owner: string, wrapped: Buffer): Promise<Buffer>;
  /** The KEK id new wraps use for this institution. */
  currentId(institutionId: string): Promise<string>;
  /** Creates the next KEK version for the institution and makes it current. */
  rotate(institutionId: string): Promise<string>;
  /** Key for HMAC blind indexes of identifying search values (names, identifiers). */
  blindIndexKey(): Promise<Buffer>;
}

const safeName = /^[A-Za-z0-9.-]{1,64}$/;

function fileStem(institutionId: string): string {
  return safeName.test(institutionId) ? institutionId : `x-${Buffer.from(institutionId).toString('hex')}`;
}

/** Local key files under `keysDir/kek/<institution>.v<N>.key`; the highest version is current. */
export function createLocalKeyEncryptionKeys(keysDir: string): KeyEncryptionKeys {
  const dir = path.join(keysDir, 'kek');
  const keys = new Map<string, Buffer>();

  async function versions(institutionId: string): Promise<number[]> {
    const stem = fileStem(institutionId);
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pattern = new RegExp(`^${stem.replace(/\./g, '\\.')}\\.v(\\d+)\\.key$`);
    return names
      .map((name) => pattern.exec(name)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async function keyFor(kekId: string, create: boolean): Promise<Buffer> {
    const cached = keys.get(kekId);
    if (cached) return cached;
    const match = /^local:(.+):v(\d+)$/.exec(kekId);
    if (!match) throw new AppError('internal', 'Unknown key-encryption key');
    const file = path.join(dir, `${fileStem(match[1]!)}.v${match[2]}.key`);
    if (!create && !(await versions(match[1]!)).includes(Number(match[2]))) {
      throw new AppError('internal', 'Key-encryption key is missing');
    }
    const key = await loadOrCreateKeyFile(file);
    keys.set(kekId, key);
    return key;
  }

  // Re-read on every wrap (only new data keys wrap), so a rotation by another process is picked up.
  async function currentId(institutionId: string): Promise<string> {
    const list = await versions(institutionId);
    return `local:${institutionId}:v${list.at(-1) ?? 1}`;
  }

  return {
    currentId,
    async wrap(institutionId, owner, dek) {
      const kekId = await currentId(institutionId);
      const kek = await keyFor(kekId, true);
      return { kekId, wrapped: seal(kek, dek, `dek:${owner}`) };
    },
    async unwrap(kekId, owner, wrapped) {
      return open(await keyFor(kekId, false), wrapped, `dek:${owner}`);
    },
    async rotate(institutionId) {
      const list = await versions(institutionId);
      const next = `local:${institutionId}:v${(list.at(-1) ?? 0) + 1}`;
      await keyFor(next, true);
      return next;
    },
    blindIndexKey: () => loadOrCreateKeyFile(path.join(keysDir, 'blind-index.key')),
  };
}
