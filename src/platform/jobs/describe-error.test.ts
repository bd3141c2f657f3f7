import { describe, expect, it } from 'vitest';
import { describeError } from './describe-error.ts';

describe('describeError', () => {
  it('keeps the message and causes, never the stack', () => {
    const error = new TypeError('bad codec', { cause: new Error('ffmpeg exited with code 1') });
    const text = describeError(error);
    expect(text).toBe('TypeError: bad codec (caused by) ffmpeg exited with code 1');
    expect(text).not.toContain(' at ');
  });

  it('describes thrown strings and other non-errors', () => {
    expect(describeError('boom')).toBe('boom');
    expect(describeError(42)).toBe('non-error thrown: 42');
    expect(describeError(undefined)).toBe('non-error thrown: undefined');
    expect(describeError({ code: 7 })).toBe('non-error thrown: {"code":7}');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeError(circular)).toBe('non-error thrown: [object Object]');
  });

  it('bounds the length and folds whitespace to one line', () => {
    expect(describeError('x'.repeat(10_000))).toHaveLength(2_000);
    expect(describeError(new Error('line one\n  line two'))).toBe('line one line two');
  });
});
