export type {
  ByteRange,
  ListedObject,
  ObjectInfo,
  ObjectRead,
  ObjectStorage,
  PutOptions,
  PutResult,
} from './object-storage.ts';
export { defaultContentType } from './object-storage.ts';
export { assertValidObjectKey, assertValidObjectPrefix, reservedKeyPrefix } from './object-key.ts';
export { createObjectStorage } from './create-object-storage.ts';
export { createLocalObjectStorage } from './local-storage.ts';
export { createS3ObjectStorage, type S3StorageConfig, type S3StorageOptions } from './s3-storage.ts';
