import type { Readable } from 'node:stream';

export const defaultContentType = 'application/octet-stream';

export interface PutOptions {
  /** Stored and returned on read; `application/octet-stream` by default. */
  contentType?: string;
}

export interface PutResult {
  key: string;
  size: number;
  /** Hex SHA-256 of the stored bytes, computed while streaming. */
  sha256: string;
}

export interface ObjectInfo {
  key: string;
  /** Size of the whole object, whatever range is read. */
  size: number;
  contentType: string;
  /** Hex SHA-256 of the whole object; undefined only for objects written by other tools. */
  sha256: string | undefined;
  lastModified: Date;
}

/** Inclusive byte offsets, as in an HTTP Range header; `end` past the object is clamped to its last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ObjectRead extends ObjectInfo {
  body: Readable;
  /** The bytes `body` carries: the whole object, or the range asked for. */
  range: { start: number; end: number } | undefined;
  contentLength: number;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * Object storage for uploads, HLS renditions and exports: local files in embedded mode, an S3-compatible
 * bucket in production. Keys are `/`-separated paths checked by `assertValidObjectKey`. Missing objects
 * raise AppError `not_found`; a range that starts past the end raises AppError `invalid_request` with reason
 * `range_not_satisfiable`.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /** Streams `body` to storage; the object appears whole or not at all, replacing any previous one. */
  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<PutResult>;
  get(key: string, options?: { range?: ByteRange }): Promise<ObjectRead>;
  head(key: string): Promise<ObjectInfo>;
  /** Idempotent: deleting a missing object succeeds, as on S3. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ListedObject>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
