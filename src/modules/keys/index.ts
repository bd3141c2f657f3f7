export { createLocalKeyEncryptionKeys, type KeyEncryptionKeys } from './kek.ts';
export { createDataKeyRing, keyOwnerFor, type DataKeyRing, type KeyOwner } from './data-keys.ts';
export { rotateKeyEncryptionKeys, shredPatientKey } from './operations.ts';
export { createLocalDataKeyRing } from './local.ts';
