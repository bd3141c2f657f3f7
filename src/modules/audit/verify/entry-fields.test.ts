import { describe, expect, it } from 'vitest';
import { userContext } from '../../../platform/context/index.ts';
import type { AuditEvent } from '../audit-log.ts';
import { buildEntry, entryColumns, serializeEntry } from '../ledger/entry.ts';
import { TEXT_FIELDS, readEntryFields } from './entry-fields.ts';

const ctx = (overrides: Partial<Parameters<typeof userContext>[0]> = {}) =>
  userContext({
    requestId: 'req-1',
    subject: 'user-1',
    roles: ['physician'],
    institution: 'inst-a',
    purpose: 'TREAT',
    ip: '10.0.0.1',
    userAgent: 'Firefox',
    ...overrides,
  });
const read: AuditEvent = {
  action: 'read',
  outcome: 'permit',
  patientId: 'pat-1',
  resourceType: 'Observation',
  resourceIds: ['obs-1'],
  category: 'labs',
};

/** The fields as entryColumns names them, read in place; undefined when the reader declines. */
function viaReader(text: string) {
  const bytes = Buffer.from(text, 'utf8');
  const fields = readEntryFields(bytes, 0, bytes.length);
  if (!fields) return undefined;
  const value = (name: (typeof TEXT_FIELDS)[number]) => {
    const slot = TEXT_FIELDS.indexOf(name) * 2;
    const start = fields.text[slot] as number;
    return start === -1 ? null : bytes.toString('utf8', start, fields.text[slot + 1]);
  };
  return {
    seq: fields.index,
    at: fields.at,
    patient_id: value('patient'),
    subject: value('subject'),
    institution: value('institution'),
    action: value('action'),
    category: value('category'),
    purpose: value('purpose'),
    outcome: value('outcome'),
    break_glass: fields.breakGlass,
    request_id: value('requestId'),
  };
}

describe('readEntryFields', () => {
  const cases: [string, ReturnType<typeof buildEntry>][] = [
    ['a plain read', buildEntry(ctx(), read, 0, new Date('2026-01-02T03:04:05.678Z'))],
    ['a large index', buildEntry(ctx(), read, 9_007_199_254_740_991, new Date())],
    [
      'non-ASCII text, missing optional fields and a denied search',
      buildEntry(
        ctx({ subject: 'ärztin-李', institution: undefined, purpose: undefined }),
        { action: 'search', outcome: 'deny', reason: 'no consent — «refus»' },
        42,
        new Date(),
      ),
    ],
    [
      'detail and break-glass members that reuse top-level key names',
      buildEntry(
        ctx({
          breakGlass: {
            grantId: 'g-1',
            patientId: 'pat-1',
            justification: 'unconscious, "outcome":"permit" {index}',
            expiresAt: new Date(),
          },
        }),
        { ...read, detail: { index: 7, outcome: 'permit', patient: 'pat-9', v: 2, at: 'x' } },
        1234,
        new Date(),
      ),
    ],
    [
      'a system actor',
      buildEntry({ ...ctx(), kind: 'system', subject: undefined, roles: [] }, read, 5, new Date()),
    ],
  ];

  it.each(cases)('reads the same columns as JSON.parse: %s', (_name, entry) => {
    const text = serializeEntry(entry);
    expect(viaReader(text)).toEqual(entryColumns(JSON.parse(text) as typeof entry));
  });

  it('declines values it would have to unescape, so the caller parses them', () => {
    const entry = buildEntry(ctx({ subject: 'user "quoted"\n' }), read, 3, new Date());
    expect(viaReader(serializeEntry(entry))).toBeUndefined();
    const patient = buildEntry(ctx(), { ...read, patientId: 'pat\\1' }, 3, new Date());
    expect(viaReader(serializeEntry(patient))).toBeUndefined();
  });

  it('declines bytes that are not a whole entry of this format', () => {
    const text = serializeEntry(cases[0]![1]);
    expect(viaReader(text.slice(0, text.length - 1))).toBeUndefined();
    expect(viaReader(text.slice(0, text.length / 2))).toBeUndefined();
    expect(viaReader(text.replace('"v":1', '"v":2'))).toBeUndefined();
    expect(viaReader(text.replace('"index":0', '"index":-1'))).toBeUndefined();
    expect(viaReader(text.replace('"index":0', '"index":"0"'))).toBeUndefined();
    expect(viaReader(text.replace('"outcome":"permit"', '"outcome":1'))).toBeUndefined();
    expect(viaReader('[]')).toBeUndefined();
  });
});
