import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuthzFixture, type AuthzFixture } from '../support/authz-fixture.ts';
import { as, authzApp } from '../support/authz-http.ts';
import { backends } from '../support/runtime.ts';

const fhir = { 'content-type': 'application/fhir+json' };

function observation(patientId: string, code: string, text: string) {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code }], text },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: '2026-11-20T10:00:00Z',
    valueQuantity: { value: 1.1, unit: 'mg/dL' },
  };
}

/** The HTTP layer over the real records API and the Cedar policy: another patient's id at each layer. */
describe.each(backends)('records API under the Cedar policy on $name', (backend) => {
  let f: AuthzFixture;
  let app: FastifyInstance;
  let benObs: string;
  let aliceObs: string;
  let benHemoglobin: string;
  beforeAll(async () => {
    f = await openAuthzFixture(backend, 'authz_http');
    app = await authzApp(f);
    const create = async (body: object) => {
      const res = await app.inject({
        method: 'POST',
        url: '/fhir/R4/Observation',
        headers: { ...as('physician@northwind'), ...fhir },
        payload: body,
      });
      if (res.statusCode !== 201) throw new Error(`create failed ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    };
    benObs = await create(observation(f.patientId('ben'), '2160-0', 'Creatinine'));
    aliceObs = await create(observation(f.patientId('alice'), '2160-0', 'Creatinine'));
    benHemoglobin = await create(observation(f.patientId('ben'), '718-7', 'Hemoglobin'));
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await f?.close();
  });

  const get = (user: string, url: string, purpose?: string) =>
    app.inject({ url, headers: as(user, purpose) });

  it('the care team reads; another institution, another patient and the wrong purpose get 404', async () => {
    expect((await get('physician@northwind', `/fhir/R4/Observation/${benObs}`)).statusCode).toBe(200);
    for (const [user, purpose] of [
      ['physician@southbay', undefined],
      ['alice.moreau', undefined],
      ['julien.moreau', undefined],
      ['researcher@northwind', undefined],
      ['admin@northwind', undefined],
    ] as const) {
      const res = await get(user, `/fhir/R4/Observation/${benObs}`, purpose);
      expect(res.statusCode, user).toBe(404);
      expect(res.body).not.toContain(f.patientId('ben'));
    }
    // The wrong purpose from someone who may know the record exists: 403 with the reason.
    const billing = await get('physician@northwind', `/fhir/R4/Observation/${benObs}`, 'HPAYMT');
    expect(billing.statusCode).toBe(403);
    expect(billing.json().issue?.[0]?.diagnostics ?? billing.body).toContain('purpose_not_permitted');
  });

  it('a pharmacist reads renal and hepatic labs only, and is told others are withheld', async () => {
    expect((await get('pharmacist@northwind', `/fhir/R4/Observation/${benObs}`)).statusCode).toBe(200);
    const hemoglobin = await get('pharmacist@northwind', `/fhir/R4/Observation/${benHemoglobin}`);
    expect(hemoglobin.statusCode).toBe(403);
    expect(hemoglobin.body).not.toContain('Hemoglobin');
    const search = await get('pharmacist@northwind', `/fhir/R4/Observation?patient=${f.patientId('ben')}`);
    const entries = search.json().entry as {
      resource: { id?: string; resourceType: string };
      search: { mode: string };
    }[];
    const ids = entries.filter((e) => e.search.mode === 'match').map((e) => e.resource.id);
    expect(ids).toContain(benObs);
    expect(ids).not.toContain(benHemoglobin);
    // The withheld result is announced with its reason, never with its id or content.
    const outcome = entries.find((e) => e.search.mode === 'outcome');
    expect(outcome?.resource.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(outcome)).not.toContain(benHemoglobin);
  });

  it('an unknown id and a forbidden id are indistinguishable', async () => {
    const forbidden = await get('physician@southbay', `/fhir/R4/Observation/${benObs}`);
    const missing = await get('physician@southbay', `/fhir/R4/Observation/does-not-exist-1`);
    expect(forbidden.statusCode).toBe(missing.statusCode);
    expect(forbidden.body.replace(benObs, 'ID')).toBe(missing.body.replace('does-not-exist-1', 'ID'));
  });

  it('search, _include, _summary=count, history and $everything reveal nothing about other patients', async () => {
    const ben = f.patientId('ben');
    const search = await get('physician@southbay', `/fhir/R4/Observation?patient=${ben}`);
    expect(search.statusCode).toBe(200);
    expect(search.json().total ?? 0).toBe(0);
    expect(search.body).not.toContain(benObs);
    const count = await get('physician@southbay', `/fhir/R4/Observation?patient=${ben}&_summary=count`);
    expect(count.json().total ?? 0).toBe(0);
    const include = await get(
      'physician@northwind',
      `/fhir/R4/Observation?code=2160-0&_include=Observation:subject`,
    );
    expect(include.statusCode).toBe(200);
    const ids = (include.json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
    expect(ids).toContain(benObs);
    expect(ids).toContain(aliceObs);
    const southbayInclude = await get(
      'physician@southbay',
      `/fhir/R4/Observation?code=2160-0&_include=Observation:subject`,
    );
    const southbayIds = (southbayInclude.json().entry ?? []).map(
      (e: { resource: { id: string } }) => e.resource.id,
    );
    // Alice shares her labs with Southbay (consent); her Patient resource and Ben's data stay hidden.
    expect(southbayIds).toContain(aliceObs);
    expect(southbayIds).not.toContain(benObs);
    expect(southbayIds).not.toContain(ben);
    expect(southbayIds).not.toContain(f.patientId('alice'));
    expect((await get('physician@southbay', `/fhir/R4/Observation/${benObs}/_history`)).statusCode).toBe(404);
    const everything = await get('physician@southbay', `/fhir/R4/Patient/${ben}/$everything`);
    expect([403, 404]).toContain(everything.statusCode);
    expect(everything.body).not.toContain(benObs);
    const own = await get('ben.okafor', `/fhir/R4/Patient/${ben}/$everything`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(benObs);
    expect(own.body).not.toContain(aliceObs);
  });

  it('paging links neither reveal hidden matches nor carry access to another caller', async () => {
    const ben = f.patientId('ben');
    const hidden = await get('physician@southbay', `/fhir/R4/Observation?patient=${ben}&_count=1`);
    expect(hidden.json().link.map((l: { relation: string }) => l.relation)).toEqual(['self']);
    // A cursor minted for the care team, replayed by someone outside it, still yields nothing of Ben's.
    const own = await get('physician@northwind', `/fhir/R4/Observation?patient=${ben}&_count=1`);
    const next = own.json().link.find((l: { relation: string }) => l.relation === 'next')?.url as string;
    expect(next).toBeDefined();
    expect(next).not.toContain(benObs);
    const replayed = await get('physician@southbay', next.replace(/^https?:\/\/[^/]+/, ''));
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json().entry ?? []).toEqual([]);
    expect(replayed.body).not.toContain(benObs);
  });

  it('injection through search parameters matches nothing and leaks nothing', async () => {
    for (const value of [
      "x' or '1'='1",
      `${f.patientId('ben')}' --`,
      '%',
      '*',
      `${f.patientId('alice')},${f.patientId('ben')}`,
    ]) {
      const res = await get('alice.moreau', `/fhir/R4/Observation?patient=${encodeURIComponent(value)}`);
      expect([200, 400]).toContain(res.statusCode);
      expect(res.body).not.toContain(benObs);
    }
  });
});
