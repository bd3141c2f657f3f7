import { AppError } from '../errors/index.ts';
import type { ByteRange } from './object-storage.ts';

/** The HTTP layer answers 416 for this reason, with the object's size from `head` in Content-Range. */
export function rangeNotSatisfiable(cause?: unknown): AppError {
  return new AppError('invalid_request', 'The requested range is not satisfiable.', {
    reason: 'range_not_satisfiable',
    cause,
  });
}

export function assertWellFormedRange(range: ByteRange): void {
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw new AppError('invalid_request', 'A byte range needs 0 <= start <= end.', {
      reason: 'invalid_range',
    });
  }
}

/** Clamps `end` to the last byte, as HTTP does; a start at or past the end is not satisfiable. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  assertWellFormedRange(range);
  if (range.start >= size) throw rangeNotSatisfiable();
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}
