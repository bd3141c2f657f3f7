import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    const a = canonicalJson({ b: 1, a: { d: [1, 'x'], c: true }, z: undefined });
    const b = canonicalJson({ a: { c: true, d: [1, 'x'] }, b: 1 });
    expect(a).toBe('{"a":{"c":true,"d":[1,"x"]},"b":1}');
    expect(b).toBe(a);
  });

  it('escapes strings so a value can never forge a key', () => {
    expect(canonicalJson({ a: 'x","index":5' })).toBe('{"a":"x\\",\\"index\\":5"}');
  });

  it('refuses values without a canonical form', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: (() => 1) as unknown as string })).toThrow(TypeError);
  });
});
