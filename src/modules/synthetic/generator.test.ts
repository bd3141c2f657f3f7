import { describe, expect, it } from 'vitest';
import { deriveCategory, deriveSecurityLabels } from '../records/index.ts';
import { buildDemoWorld } from './demo.ts';
import type { FhirResource } from './fhir.ts';
import { generateInstitutionResources } from './institution.ts';
import { estimateGfr } from './labs.ts';
import { defaultReferenceDate } from './options.ts';
import { generatePatient, type GeneratedPatient } from './patient.ts';
import { buildGeneratedWorld, type World } from './world.ts';

const fhirId = /^[A-Za-z0-9\-.]{1,64}$/;
const fhirInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const world = (seed = 7) => buildGeneratedWorld(seed, 3, defaultReferenceDate);
const patients = (w: World, count: number) => Array.from({ length: count }, (_, i) => generatePatient(w, i));
const codesOf = (r: FhirResource, element: string) => JSON.stringify(r[element] ?? null);

/** Every `{ reference: 'Type/id' }` anywhere in a resource. */
function referencesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) referencesIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'reference' && typeof item === 'string') found.push(item);
      else referencesIn(item, found);
    }
  }
  return found;
}

describe('synthetic patients', () => {
  it('patient i is the same whatever else was generated before it, and in a fresh world', () => {
    const forwards = patients(world(), 12);
    const w = world();
    const backwards = Array.from({ length: 12 }, (_, k) => generatePatient(w, 11 - k)).reverse();
    expect(backwards).toEqual(forwards);
    expect(generatePatient(world(), 5)).toEqual(forwards[5]);
  });

  it('a different seed gives different patients and ids', () => {
    const a = generatePatient(world(7), 3);
    const b = generatePatient(world(8), 3);
    expect(b.patientId).not.toBe(a.patientId);
    expect(b.name).not.toBe(a.name);
  });

  it('produces valid ids, versions and timestamps, and references that resolve', () => {
    const w = world();
    const generated = patients(w, 40);
    const known = new Set<string>();
    for (const institution of w.institutions) {
      for (const r of generateInstitutionResources(w, institution)) known.add(`${r.resourceType}/${r.id}`);
    }
    const all = generated.flatMap((p) => p.resources);
    for (const r of all) known.add(`${r.resourceType}/${r.id}`);
    expect(known.size).toBe(all.length + w.institutions.reduce((n, i) => n + 1 + 2 * i.staff.length, 0));
    for (const r of [...all, ...generated.flatMap((p) => p.priorVersions)]) {
      expect(r.id).toMatch(fhirId);
      expect(r.meta.lastUpdated).toMatch(fhirInstant);
      expect(r.meta.lastUpdated <= `${defaultReferenceDate.toISOString().slice(0, 10)}T23:59:59Z`).toBe(true);
      expect(['1', '2']).toContain(r.meta.versionId);
      for (const ref of referencesIn(r)) expect(known, `${r.resourceType}/${r.id} → ${ref}`).toContain(ref);
    }
    const revised = all.filter((r) => r.meta.versionId === '2');
    expect(revised.every((r) => r.resourceType === 'Consent' && r.status === 'inactive')).toBe(true);
    expect(
      generated
        .flatMap((p) => p.priorVersions)
        .map((r) => r.id)
        .sort(),
    ).toEqual(revised.map((r) => r.id).sort());
  });

  it('covers every category and every sensitivity label within a few dozen patients', () => {
    const all = patients(world(), 48).flatMap((p) => p.resources);
    const categories = new Set(all.map((r) => deriveCategory(r)));
    expect([...categories].sort()).toEqual([
      'administrative',
      'demographics',
      'imaging',
      'labs',
      'medications',
      'notes',
      'summary',
    ]);
    const labels = new Set(all.flatMap((r) => deriveSecurityLabels(r)));
    for (const label of ['N', 'R', 'PSY', 'HIV', 'SUD', 'SDV']) expect(labels).toContain(label);
    // The body carries the labels the security column will hold.
    for (const r of all) {
      const labelsOfBody = (r.meta.security ?? []).map((c) => c.code);
      const derived = deriveSecurityLabels(r);
      expect(labelsOfBody).toEqual(derived.length === 1 && derived[0] === 'N' ? [] : derived);
    }
  });

  it('gives labs realistic codes, units, reference ranges and trends', () => {
    const all = patients(world(), 20).flatMap((p) => p.resources);
    const glucose = all.find(
      (r) => r.resourceType === 'Observation' && codesOf(r, 'code').includes('"2345-7"'),
    );
    expect(glucose).toMatchObject({
      status: 'final',
      valueQuantity: { unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      referenceRange: [{ low: { value: 70 }, high: { value: 99 } }],
    });
    const reports = all.filter(
      (r) => r.resourceType === 'DiagnosticReport' && codesOf(r, 'category').includes('"LAB"'),
    );
    expect(reports.length).toBeGreaterThan(20);
    expect(new Set(reports.map((r) => deriveCategory(r)))).toEqual(new Set(['labs']));
    // Alice (demo) has a rising HbA1c over five visits; Frank a falling eGFR.
    const demo = buildDemoWorld(7, 2, defaultReferenceDate);
    const values = (p: GeneratedPatient, loinc: string) =>
      p.resources
        .filter((r) => r.resourceType === 'Observation' && codesOf(r, 'code').includes(`"${loinc}"`))
        .map((r) => (r.valueQuantity as { value: number }).value);
    const hba1c = values(generatePatient(demo, 0), '4548-4');
    expect(hba1c).toHaveLength(5);
    expect(hba1c).toEqual([...hba1c].sort((a, b) => a - b));
    const egfr = values(generatePatient(demo, 5), '98979-8');
    expect(egfr).toHaveLength(5);
    expect(egfr).toEqual([...egfr].sort((a, b) => b - a));
  });

  it('computes eGFR with the CKD-EPI 2021 equation', () => {
    expect(estimateGfr(1.0, 50, false)).toBeCloseTo(91.7, 1);
    expect(estimateGfr(0.7, 50, true)).toBeCloseTo(142 * 0.9938 ** 50 * 1.012, 5);
  });

  it('labels the sensitive demo records as SPEC §2 requires', () => {
    const demo = buildDemoWorld(7, 2, defaultReferenceDate);
    const ben = generatePatient(demo, 1).resources;
    const psychNote = ben.find(
      (r) => r.resourceType === 'DocumentReference' && codesOf(r, 'type').includes('28627-8'),
    );
    expect(psychNote && deriveSecurityLabels(psychNote)).toEqual(['R', 'PSY']);
    const note = Buffer.from(
      (psychNote?.content as [{ attachment: { data: string } }])[0].attachment.data,
      'base64',
    );
    expect(note.toString()).toContain('Major depressive disorder (F32.9)');
    const eve = generatePatient(demo, 4).resources;
    const hivTest = eve.find((r) => codesOf(r, 'code').includes('75622-1'));
    expect(hivTest && deriveSecurityLabels(hivTest)).toContain('HIV');
    const daniel = generatePatient(demo, 3).resources;
    const sud = daniel.find((r) => r.resourceType === 'Condition' && codesOf(r, 'code').includes('F11.20'));
    expect(sud && deriveSecurityLabels(sud)).toEqual(['R', 'SUD']);
  });

  it('writes consents that permit, deny and opt in, and ended care relationships', () => {
    const demo = buildDemoWorld(7, 2, defaultReferenceDate);
    const alice = generatePatient(demo, 0);
    const consents = alice.resources.filter((r) => r.resourceType === 'Consent');
    expect(consents.map((c) => c.provision)).toEqual([
      expect.objectContaining({
        type: 'permit',
        actor: [
          expect.objectContaining({
            reference: expect.objectContaining({ reference: 'Organization/southbay' }),
          }),
        ],
        purpose: [expect.objectContaining({ code: 'TREAT' })],
        code: [expect.objectContaining({ coding: [expect.objectContaining({ code: 'labs' })] })],
      }),
      expect.objectContaining({ type: 'permit', purpose: [expect.objectContaining({ code: 'HRESCH' })] }),
    ]);
    const ended = alice.resources.find((r) => r.resourceType === 'CareTeam' && r.status === 'inactive');
    expect((ended?.period as { end: string }).end < defaultReferenceDate.toISOString()).toBe(true);
    expect(JSON.stringify(ended?.participant)).toContain('Practitioner/northwind-physician-2');
    const activeTeam = alice.resources.find((r) => r.resourceType === 'CareTeam' && r.status === 'active');
    const daniel = generatePatient(demo, 3).resources;
    const deny = daniel.find((r) => r.resourceType === 'Consent');
    expect(deny?.provision).toMatchObject({ type: 'deny', code: [{ coding: [{ code: 'imaging' }] }] });
    expect(JSON.stringify(deny?.provision)).toContain(`CareTeam/${generatePatient(demo, 3).patientId}-ct-1`);
    expect(activeTeam?.participant).toHaveLength(5);
    expect(alice.careTeam.map((m) => m.username)).toEqual([
      'physician@northwind',
      'nurse@northwind',
      'pharmacist@northwind',
      'lab-technician@northwind',
      'radiology@northwind',
    ]);
  });
});
