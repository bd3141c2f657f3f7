import { createDataKeyRing, type DataKeyRing } from './data-keys.ts';
import { createLocalKeyEncryptionKeys } from './kek.ts';

/** The data key ring over the local key-encryption key files under `keysDir` (embedded mode). */
export function createLocalDataKeyRing(keysDir: string): DataKeyRing {
  return createDataKeyRing(createLocalKeyEncryptionKeys(keysDir));
}
