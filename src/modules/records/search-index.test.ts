import { describe, expect, it } from 'vitest';
import { dateRange, indexEntries, normalizeText, stringKeys } from './search-index.ts';

describe('search index extraction', () => {
  it('expands dates to ranges at their precision', () => {
    expect(dateRange('1980')).toEqual(['1980-01-01T00:00:00.000Z', '1980-12-31T23:59:59.999Z']);
    expect(dateRange('2024-02')).toEqual(['2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z']);
    expect(dateRange({ start: '2026-03-04T09:00:00Z' })?.[1]).toBe('9999-12-31T23:59:59.999Z');
    expect(dateRange('yesterday')).toBeUndefined();
  });
  it('normalizes case and accents and indexes exact, prefixes and 3+ substrings', () => {
    expect(normalizeText('  José  VAN der ')).toBe('jose van der');
    const keys = stringKeys('Berg');
    expect(keys).toEqual(expect.arrayContaining(['e:Berg', 'p:b', 'p:berg', 'c:erg', 'c:ber']));
    expect(keys).not.toContain('c:er');
  });
  it('blinds identifying parameters and leaves codes, references and dates readable', async () => {
    const entries = await indexEntries(
      {
        resourceType: 'Patient',
        id: 'p1',
        name: [{ family: 'Zed' }],
        identifier: [{ system: 'urn:mrn', value: 'M1' }],
        gender: 'female',
        birthDate: '1980-04-12',
        managingOrganization: { reference: 'Organization/o1' },
      },
      async (v) => `H(${v.length})`,
    );
    const text = JSON.stringify(entries);
    expect(text).not.toContain('Zed');
    expect(text).not.toContain('M1');
    expect(entries).toEqual(
      expect.arrayContaining([
        { param: 'gender', token: 'c:female' },
        { param: 'organization', ref: 'Organization/o1' },
        { param: 'birthdate', dStart: '1980-04-12T00:00:00.000Z', dEnd: '1980-04-12T23:59:59.999Z' },
      ]),
    );
  });
});
