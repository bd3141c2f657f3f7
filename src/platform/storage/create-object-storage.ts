import type { StorageConfig } from '../../config/index.ts';
import { createLocalObjectStorage } from './local-storage.ts';
import type { ObjectStorage } from './object-storage.ts';
import { createS3ObjectStorage, type S3StorageOptions } from './s3-storage.ts';

/** The object storage of the configured backend. Nothing is sent to S3 here; `ping()` checks the bucket. */
export async function createObjectStorage(
  config: StorageConfig,
  options: { s3?: S3StorageOptions } = {},
): Promise<ObjectStorage> {
  switch (config.kind) {
    case 'local':
      return createLocalObjectStorage(config.root);
    case 's3':
      return createS3ObjectStorage(config, options.s3);
  }
}
