import { describe, expect, it } from 'vitest';
import { assertValidObjectKey, assertValidObjectPrefix } from './object-key.ts';

describe('object keys', () => {
  it.each([
    'a',
    'videos/123/master.m3u8',
    'videos/123/720p/seg-00001.m4s',
    'a.b/c..d/e',
    'ünïcödé/名前.txt',
    '.hidden/file',
  ])('accepts %j', (key) => {
    expect(() => assertValidObjectKey(key)).not.toThrow();
  });

  it.each([
    ['', 'empty'],
    ['../etc/passwd', 'parent segment'],
    ['videos/../../etc/passwd', 'parent segment in the middle'],
    ['videos/..', 'trailing parent segment'],
    ['./a', 'dot segment'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'trailing slash'],
    ['a\\..\\b', 'backslash'],
    ['a\u0000b', 'NUL'],
    ['a\nb', 'newline'],
    ['.carebase/staging/x', 'reserved prefix'],
    ['.carebase', 'reserved segment'],
    ['x'.repeat(201), 'segment too long'],
    [`${'a/'.repeat(600)}a`, 'key too long'],
  ])('refuses %j (%s) with invalid_request', (key) => {
    expect(() => assertValidObjectKey(key)).toThrow(
      expect.objectContaining({ code: 'invalid_request', reason: 'invalid_object_key' }),
    );
  });

  it('accepts list prefixes that end with a slash or mid-segment, and the empty prefix', () => {
    for (const prefix of ['', 'videos/', 'videos/12', 'videos/123/seg-'])
      expect(() => assertValidObjectPrefix(prefix)).not.toThrow();
  });

  it('refuses list prefixes that could climb out of the root', () => {
    for (const prefix of ['..', '../', 'a/../', 'a/..', '/abs', 'a\\b', 'a\u0000', '.carebase/']) {
      expect(() => assertValidObjectPrefix(prefix)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    }
  });
});
