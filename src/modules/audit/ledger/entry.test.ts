import { describe, expect, it } from 'vitest';
import { systemContext, userContext } from '../../../platform/context/index.ts';
import { buildEntry, entryColumns, parseEntry, serializeEntry } from './entry.ts';

const grant = {
  grantId: 'bg-1',
  patientId: 'pat-1',
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  justification: 'Unconscious in the ED, allergies unknown',
};
const ctx = userContext({
  requestId: 'r-1',
  subject: 'u-1',
  roles: ['physician'],
  institution: 'i-1',
  purpose: 'ETREAT',
  breakGlass: grant,
});
const at = new Date('2026-11-23T10:00:00.123Z');

describe('ledger entries', () => {
  it('serialize to the same bytes whatever the order fields were given in', () => {
    const a = buildEntry(
      ctx,
      { action: 'read', outcome: 'permit', patientId: 'pat-1', detail: { b: 1, a: 'x' } },
      4,
      at,
    );
    const b = buildEntry(
      ctx,
      { outcome: 'permit', detail: { a: 'x', b: 1 }, patientId: 'pat-1', action: 'read' },
      4,
      at,
    );
    expect(serializeEntry(a)).toBe(serializeEntry(b));
    expect(serializeEntry(a).startsWith('{"action":"read","actor":{')).toBe(true);
    expect(parseEntry(serializeEntry(a))).toEqual(JSON.parse(serializeEntry(a)));
  });

  it('flag break-glass only for the patient the grant covers', () => {
    expect(
      buildEntry(ctx, { action: 'read', outcome: 'permit', patientId: 'pat-1' }, 0, at).breakGlass,
    ).toEqual({
      grantId: 'bg-1',
      justification: grant.justification,
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
    expect(
      buildEntry(ctx, { action: 'read', outcome: 'permit', patientId: 'pat-2' }, 0, at).breakGlass,
    ).toBeUndefined();
    const granted = buildEntry(
      systemContext('grant'),
      {
        action: 'break-glass-grant',
        outcome: 'permit',
        patientId: 'pat-9',
        breakGlass: { grantId: 'g', justification: 'j' },
      },
      0,
      at,
    );
    expect(entryColumns(granted).break_glass).toBe(true);
  });

  it('derive the indexed columns from the hashed content', () => {
    const entry = buildEntry(
      ctx,
      { action: 'search', outcome: 'deny', patientId: 'pat-1', category: 'notes' },
      9,
      at,
    );
    expect(entryColumns(entry)).toEqual({
      seq: 9,
      at: '2026-11-23T10:00:00.123Z',
      patient_id: 'pat-1',
      subject: 'u-1',
      institution: 'i-1',
      action: 'search',
      category: 'notes',
      purpose: 'ETREAT',
      outcome: 'deny',
      break_glass: true,
      request_id: 'r-1',
    });
  });

  it('reject torn or foreign text', () => {
    const text = serializeEntry(buildEntry(ctx, { action: 'read', outcome: 'permit' }, 1, at));
    expect(parseEntry(text.slice(0, text.length / 2))).toBeUndefined();
    expect(parseEntry('{"v":2,"index":1}')).toBeUndefined();
    expect(parseEntry('null')).toBeUndefined();
  });
});
