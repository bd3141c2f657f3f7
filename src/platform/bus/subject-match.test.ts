import { describe, expect, it } from 'vitest';
import { assertPublishSubject, subjectMatches } from './subject-match.ts';

describe('subjectMatches', () => {
  it.each([
    ['audit.entry', 'audit.entry', true],
    ['audit.entry', 'audit.entries', false],
    ['audit.*', 'audit.entry', true],
    ['audit.*', 'audit.entry.x', false],
    ['audit.*', 'audit', false],
    ['audit.>', 'audit.entry.x', true],
    ['audit.>', 'audit', false],
    ['*.entry', 'audit.entry', true],
    ['>', 'a.b.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('rejects wildcards and empty tokens in a publish subject', () => {
    expect(() => assertPublishSubject('video.view')).not.toThrow();
    for (const subject of ['video.*', 'video.>', 'video..view', '', 'video view', '.video']) {
      expect(() => assertPublishSubject(subject)).toThrow(/invalid subject/);
    }
  });
});
