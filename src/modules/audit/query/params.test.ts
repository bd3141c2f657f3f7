import { describe, expect, it } from 'vitest';
import { accessLogCsv, type AccessLogEntry } from './access-log.ts';
import { fhirDateRange } from './params.ts';

describe('FHIR date ranges', () => {
  it('reads prefixes and whole days', () => {
    expect(fhirDateRange(['ge2026-01-01', 'lt2026-02-01'])).toEqual({
      from: new Date('2026-01-01T00:00:00.000Z'),
      to: new Date('2026-01-31T23:59:59.999Z'),
    });
    expect(fhirDateRange(['2026-03-04'])).toEqual({
      from: new Date('2026-03-04T00:00:00.000Z'),
      to: new Date('2026-03-04T23:59:59.999Z'),
    });
    expect(fhirDateRange(['gt2026-03-04T10:00:00Z']).from).toEqual(new Date('2026-03-04T10:00:00.001Z'));
  });

  it('refuses anything else', () => {
    expect(() => fhirDateRange(['yesterday'])).toThrow(/date/);
    expect(() => fhirDateRange(['ne2026-01-01'])).toThrow(/date/);
  });
});

describe('access log CSV', () => {
  it('quotes separators and defuses spreadsheet formulas', () => {
    const entry: AccessLogEntry = {
      id: '1',
      at: '2026-11-23T10:00:00.000Z',
      actor: { name: 'Dr. "House", Gregory', role: 'physician', institution: '=HYPERLINK("x")' },
      action: 'read',
      category: 'labs',
      resourceType: null,
      purpose: 'ETREAT',
      breakGlass: true,
      justification: 'line one\nline two',
      outcome: 'permit',
    };
    const [, line] = accessLogCsv([entry]).split('\r\n');
    expect(line).toBe(
      '1,2026-11-23T10:00:00.000Z,"Dr. ""House"", Gregory",physician,"\'=HYPERLINK(""x"")",read,labs,,ETREAT,true,"line one\nline two",permit',
    );
  });
});
