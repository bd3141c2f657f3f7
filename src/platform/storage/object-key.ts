import { AppError } from '../errors/index.ts';

/** Internal objects (S3 staging uploads) live under this first segment, which callers cannot use. */
export const reservedKeyPrefix = '.carebase/';

const maxKeyBytes = 1024;
/** File systems limit one name to 255 bytes; the local store adds a suffix to each. */
const maxSegmentBytes = 200;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const forbiddenCharacters = /[\u0000-\u001f\u007f\\]/;

function invalidKey(message: string): AppError {
  return new AppError('invalid_request', message, { reason: 'invalid_object_key' });
}

function assertSegments(segments: string[], what: string): void {
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..')
      throw invalidKey(`${what} has an empty, "." or ".." segment.`);
    if (Buffer.byteLength(segment) > maxSegmentBytes)
      throw invalidKey(`${what} has a segment longer than ${maxSegmentBytes} bytes.`);
  }
}

function assertCommon(value: string, what: string): void {
  if (Buffer.byteLength(value) > maxKeyBytes)
    throw invalidKey(`${what} is longer than ${maxKeyBytes} bytes.`);
  if (forbiddenCharacters.test(value))
    throw invalidKey(`${what} contains a backslash or a control character.`);
  if (value.startsWith('/')) throw invalidKey(`${what} must be relative.`);
  if (value === reservedKeyPrefix.slice(0, -1) || value.startsWith(reservedKeyPrefix))
    throw invalidKey(`${what} uses a reserved prefix.`);
}

/**
 * An object key is a relative `/`-separated path whose segments are neither empty nor `.`/`..`, with no
 * backslash or control character (NUL included). So a key can never name a file outside the store's root.
 */
export function assertValidObjectKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw invalidKey('Object key is empty.');
  assertCommon(key, 'Object key');
  assertSegments(key.split('/'), 'Object key');
}

/** A list prefix follows the key rules, except that it may be empty, end with `/` or end mid-segment. */
export function assertValidObjectPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw invalidKey('Object prefix is not a string.');
  if (prefix === '') return;
  assertCommon(prefix, 'Object prefix');
  const segments = prefix.split('/');
  const last = segments.pop();
  assertSegments(segments, 'Object prefix');
  if (last === '.' || last === '..') throw invalidKey('Object prefix ends with a "." or ".." segment.');
}
