import { describe, expect, it } from 'vitest';
import { userContext } from '../../../platform/context/index.ts';
import type { AuditEvent } from '../audit-log.ts';
import { COPIED_COLUMNS, CopiedRows } from '../ledger/copied-rows.ts';
import { buildEntry, entryColumns, serializeEntry, type EntryColumns } from '../ledger/entry.ts';
import { entryMatchesRow } from './entry-match.ts';

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

const PG_EPOCH_MS = 946_684_800_000;
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const field = (value: Buffer | null) =>
  value === null ? int32(-1) : Buffer.concat([int32(value.length), value]);
const int8 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

type Row = Omit<EntryColumns, 'at'> & { at: bigint | null; entry: string };

/** The row as PostgreSQL's binary COPY writes it (see entry-copy.ts), in a one-row document. */
function copyDocument(row: Row): Buffer {
  const text = (v: string | null) => (v === null ? null : Buffer.from(v, 'utf8'));
  const values: Record<(typeof COPIED_COLUMNS)[number], Buffer | null> = {
    seq: int8(BigInt(row.seq)),
    entry: text(row.entry),
    leaf_hash: Buffer.alloc(32),
    at: row.at === null ? null : int8(row.at),
    patient_id: text(row.patient_id),
    subject: text(row.subject),
    institution: text(row.institution),
    action: text(row.action),
    category: text(row.category),
    purpose: text(row.purpose),
    outcome: text(row.outcome),
    break_glass: Buffer.of(row.break_glass ? 1 : 0),
    request_id: text(row.request_id),
  };
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(0)]);
  const fields = Buffer.alloc(2);
  fields.writeInt16BE(COPIED_COLUMNS.length);
  const trailer = Buffer.from([0xff, 0xff]);
  return Buffer.concat([header, fields, ...COPIED_COLUMNS.map((c) => field(values[c])), trailer]);
}

/** The row the ledger stores for `entry`: its columns as `entryColumns` derives them. */
function storedRow(text: string): Row {
  const columns = entryColumns(JSON.parse(text) as Parameters<typeof entryColumns>[0]);
  return { ...columns, at: BigInt((Date.parse(columns.at) - PG_EPOCH_MS) * 1000), entry: text };
}

function matches(row: Row, seq = row.seq): boolean {
  const rows = new CopiedRows(copyDocument(row));
  expect(rows.next()).toBe(true);
  return entryMatchesRow(rows, seq);
}

describe('entryMatchesRow', () => {
  const cases: [string, ReturnType<typeof buildEntry>][] = [
    ['a plain read', buildEntry(ctx(), read, 0, new Date('2026-01-02T03:04:05.678Z'))],
    ['a large index', buildEntry(ctx(), read, 9_007_199_254_740_991, new Date('2024-02-29T23:59:59.999Z'))],
    [
      'non-ASCII text, missing optional fields and a denied search',
      buildEntry(
        ctx({ subject: 'ärztin-李', institution: undefined, purpose: undefined }),
        { action: 'search', outcome: 'deny', reason: 'no consent — «refus»' },
        42,
        new Date('1999-12-31T23:59:59.000Z'),
      ),
    ],
    [
      'detail and break-glass members that reuse compared key names',
      buildEntry(
        ctx({
          breakGlass: {
            grantId: 'g-1',
            patientId: 'pat-1',
            justification: 'unconscious, "outcome":"permit" {index} \\ "patient":"x"',
            expiresAt: new Date(),
          },
          patientId: 'pat-self',
        }),
        { ...read, detail: { index: 7, outcome: 'permit', patient: 'pat-9', v: 2, at: 'x', subject: 's' } },
        1234,
        new Date(),
      ),
    ],
    [
      'a system actor',
      buildEntry({ ...ctx(), kind: 'system', subject: undefined, roles: [] }, read, 5, new Date()),
    ],
  ];

  it.each(cases)('accepts the columns the ledger stores: %s', (_name, entry) => {
    expect(matches(storedRow(serializeEntry(entry)))).toBe(true);
  });

  it.each(cases)('declines any one changed column: %s', (_name, entry) => {
    const row = storedRow(serializeEntry(entry));
    const changed: Partial<Row>[] = [
      { patient_id: row.patient_id === null ? 'pat-x' : null },
      { patient_id: `${row.patient_id ?? ''}x` },
      { subject: row.subject === null ? 'someone' : `${row.subject}x` },
      { institution: row.institution === null ? 'inst-x' : null },
      { action: 'write' },
      { category: row.category === null ? 'labs' : 'notes' },
      { purpose: row.purpose === null ? 'TREAT' : 'HRESCH' },
      { outcome: 'deny' === row.outcome ? 'permit' : 'deny' },
      { break_glass: !row.break_glass },
      { request_id: 'req-2' },
      { at: (row.at as bigint) + 1n },
      { at: (row.at as bigint) + 1000n },
      { at: null },
    ];
    for (const change of changed)
      expect(matches({ ...row, ...change }), Object.keys(change).join()).toBe(false);
    expect(matches(row, row.seq + 1)).toBe(false);
  });

  it('declines values it would have to unescape, so the caller parses them', () => {
    const quoted = storedRow(
      serializeEntry(buildEntry(ctx({ subject: 'user "quoted"\n' }), read, 3, new Date())),
    );
    expect(matches(quoted)).toBe(false);
    const slash = storedRow(
      serializeEntry(buildEntry(ctx(), { ...read, patientId: 'pat\\1' }, 3, new Date())),
    );
    expect(matches(slash)).toBe(false);
  });

  it('declines bytes that are not a whole entry of this format', () => {
    const row = storedRow(serializeEntry(cases[0]![1]));
    const text = row.entry;
    for (const entry of [
      text.slice(0, text.length - 1),
      text.slice(0, text.length / 2),
      `${text} `,
      text.replace('"v":1', '"v":2'),
      text.replace('"index":0', '"index":-1'),
      text.replace('"index":0', '"index":"0"'),
      text.replace('"index":0', '"index":00'),
      text.replace('"outcome":"permit"', '"outcome":1'),
      text.replace('"at":"2026-01-02T03:04:05.678Z"', '"at":"2026-01-02T03:04:05.678+00:00"'),
      text.replace('"requestId":"req-1",', ''),
      '[]',
    ]) {
      expect(matches({ ...row, entry }), entry).toBe(false);
    }
  });

  it('reads the timestamp exactly, calendar included', () => {
    const at = (iso: string) => {
      const row = storedRow(serializeEntry(buildEntry(ctx(), read, 1, new Date('2026-01-02T03:04:05.678Z'))));
      return { ...row, entry: row.entry.replace('2026-01-02T03:04:05.678Z', iso) };
    };
    const column = (iso: string) => BigInt((Date.parse(iso) - PG_EPOCH_MS) * 1000);
    for (const iso of ['2024-02-29T00:00:00.000Z', '2000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(matches({ ...at(iso), at: column(iso) }), iso).toBe(true);
    }
    // Dates that Date.UTC would roll over, or that the ledger never writes.
    const may1 = column('2026-05-01T00:00:00.000Z');
    expect(matches({ ...at('2026-04-31T00:00:00.000Z'), at: may1 })).toBe(false);
    const mar1 = column('2023-03-01T00:00:00.000Z');
    expect(matches({ ...at('2023-02-29T00:00:00.000Z'), at: mar1 })).toBe(false);
    expect(matches({ ...at('2026-01-02T24:00:00.000Z'), at: column('2026-01-03T00:00:00.000Z') })).toBe(
      false,
    );
  });
});
