export { loadOrCreateKeyFile } from './key-file.ts';
export { seal, open } from './aead.ts';
