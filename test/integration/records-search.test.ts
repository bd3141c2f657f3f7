import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchParams } from '../../src/modules/records/resource-types.ts';
import { systemContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { as, recordsHarness, type RecordsHarness } from '../support/records-fixtures.ts';
import { patientResource, sampleResources } from '../support/records-resources.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';

const staff = as({ roles: ['physician'], institution: 'north', subject: 'dr-north' });
type Bundle = {
  total?: number;
  entry?: { resource: { id: string; resourceType: string }; search?: { mode: string } }[];
  link: { relation: string; url: string }[];
};

const hostile = [
  "'; drop table resource; --",
  '" or 1=1 --',
  '%27%20or%20%271%27=%271',
  '\u0000',
  '../../etc/passwd',
  '$(rm -rf /)',
  '<script>alert(1)</script>',
  "Robert'); DELETE FROM resource_search;--",
  'a'.repeat(300),
  '🙂🙂🙂',
  "ge2020-01-01T00:00:00Z' or 'x",
  'Patient/../../x',
  '\\,\\|\\$',
];

describe.each(backends)('records search on $name', (backend) => {
  let t: TestRuntime;
  let h: RecordsHarness;
  let pid: string;
  let pid2: string;
  const obs: string[] = [];

  const get = async (url: string, headers = staff) => {
    const res = await h.app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.json() as Bundle, raw: res.body };
  };
  const ids = (b: Bundle, mode = 'match') =>
    (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource.id);

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'records_search');
    await inCallerTransaction(t.runtime.records, systemContext('test fixture'), (trx) =>
      (trx as unknown as Kysely<{ institution: { id: string; name: string } }>)
        .insertInto('institution')
        .values([{ id: 'north', name: 'North' }])
        .execute(),
    );
    h = await recordsHarness(t.runtime);
    const post = async (type: string, body: object | undefined) => {
      const res = await h.app.inject({
        method: 'POST',
        url: `/fhir/R4/${type}`,
        headers: staff,
        payload: body ?? {},
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    pid = await post('Patient', patientResource('MRN-1'));
    pid2 = await post('Patient', {
      ...patientResource('MRN-2'),
      name: [{ family: 'van der Berg', given: ['José'] }],
      gender: 'male',
      birthDate: '1955-01-01',
    });
    for (const [i, value] of [3.1, 5.4, 7.9, 12].entries()) {
      obs.push(
        await post('Observation', {
          ...sampleResources(i % 2 === 0 ? pid : pid2).Observation,
          effectiveDateTime: `2026-0${i + 1}-15T10:00:00Z`,
          valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
          ...(i === 3
            ? { code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] }, status: 'amended' }
            : {}),
        }),
      );
    }
    for (const [type, body] of Object.entries(sampleResources(pid))) {
      if (type !== 'Observation') await post(type, body);
    }
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await t?.cleanup();
  });

  it('finds patients by name (prefix, :exact, :contains, accents), family, given, identifier, birthdate, gender', async () => {
    const expectIds = async (query: string, expected: string[]) =>
      expect(ids((await get(`/fhir/R4/Patient?${query}`)).body).sort(), query).toEqual([...expected].sort());
    await expectIds('name=zebu', [pid]);
    await expectIds('name=QUINT', [pid]);
    await expectIds('name=berg', [pid2]);
    await expectIds('name=jose', [pid2]);
    await expectIds('name:exact=Zebulonsky', [pid]);
    await expectIds('name:exact=zebulonsky', []);
    await expectIds('name:contains=ulons', [pid]);
    await expectIds('family=van%20der', [pid2]);
    await expectIds('given=Quintessa', [pid]);
    await expectIds('given=Zebulonsky', []);
    await expectIds('identifier=MRN-2', [pid2]);
    await expectIds('identifier=urn:carebase:mrn|MRN-1', [pid]);
    await expectIds('identifier=urn:other|MRN-1', []);
    await expectIds('birthdate=1980-04-12', [pid]);
    await expectIds('birthdate=1980', [pid]);
    await expectIds('birthdate=lt1960-01-01', [pid2]);
    await expectIds('birthdate=ge1960', [pid]);
    await expectIds('gender=male', [pid2]);
    await expectIds('gender=female,male', [pid, pid2]);
    expect((await get('/fhir/R4/Patient?name:contains=ab')).status).toBe(400);
  });

  it('finds observations by patient, subject, code, category, date, value-quantity and status', async () => {
    const expectIds = async (query: string, expected: string[]) =>
      expect(ids((await get(`/fhir/R4/Observation?${query}`)).body).sort(), query).toEqual(
        [...expected].sort(),
      );
    await expectIds(`patient=${pid}`, [obs[0]!, obs[2]!]);
    await expectIds(`subject=Patient/${pid2}`, [obs[1]!, obs[3]!]);
    // Compartment filters become patient_id conditions (one patient, several, none that is a Patient).
    await expectIds(`subject=${pid2}`, [obs[1]!, obs[3]!]);
    await expectIds(`patient=${pid},${pid2}`, obs);
    await expectIds(`subject=Practitioner/${pid}`, []);
    await expectIds(`patient=${pid}&category=laboratory&code=2345-7`, [obs[0]!, obs[2]!]);
    await expectIds(`patient=${pid2}&code=2345-7,718-7&status=amended`, [obs[3]!]);
    await expectIds('code=2345-7', [obs[0]!, obs[1]!, obs[2]!]);
    await expectIds('code=http://loinc.org|718-7', [obs[3]!]);
    await expectIds('code=http://snomed.info/sct|718-7', []);
    await expectIds('category=laboratory', obs);
    await expectIds('date=ge2026-03-01&date=lt2026-04-30', [obs[2]!, obs[3]!]);
    await expectIds('date=2026-02', [obs[1]!]);
    await expectIds('value-quantity=gt5', [obs[1]!, obs[2]!, obs[3]!]);
    await expectIds('value-quantity=le5.4|http://unitsofmeasure.org|mmol/L', [obs[0]!, obs[1]!]);
    await expectIds('status=amended', [obs[3]!]);
    await expectIds(`_id=${obs[0]},${obs[3]}`, [obs[0]!, obs[3]!]);
    await expectIds('_lastUpdated=gt2000-01-01', obs);
    await expectIds('_lastUpdated=lt2000-01-01', []);
  });

  it('searches every other type by patient, code/type, date and status', async () => {
    const cases: [string, string][] = [
      ['DiagnosticReport', 'code=24323-8&date=2026-03-04&status=final'],
      ['DocumentReference', 'type=11506-3&date=ge2026-03-05&status=current'],
      ['MedicationRequest', 'code=860975&date=2026-02-01&status=active'],
      ['MedicationStatement', 'code=860975&date=2026-02&status=active'],
      ['Condition', 'code=44054006&date=2025&status=active'],
      ['AllergyIntolerance', 'code=91936005&date=2024-06-01&status=active'],
      ['Encounter', 'type=AMB&class=AMB&date=2026-03-04&status=finished'.replace('type=AMB&', '')],
      ['ImagingStudy', 'code=CT&date=2026-03-06&status=available'],
    ];
    for (const [type, query] of cases) {
      const hit = await get(`/fhir/R4/${type}?patient=${pid}&${query}`);
      expect(hit.status, `${type}?${query}: ${hit.raw}`).toBe(200);
      expect(ids(hit.body), `${type}?${query}`).toHaveLength(1);
      expect(ids((await get(`/fhir/R4/${type}?patient=${pid2}&${query}`)).body)).toHaveLength(0);
    }
  });

  it('pages with opaque cursors, sorts, counts, minimizes and includes', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/fhir/R4/Observation?_count=1&_sort=-_lastUpdated';
    while (url) {
      const page = await get(url.replace(/^https?:\/\/[^/]+/, ''));
      seen.push(...ids(page.body));
      url = page.body.link.find((l) => l.relation === 'next')?.url;
    }
    expect(seen).toEqual([...obs].reverse());
    // Sorting by a date parameter (effective date), paged through cursors in both directions.
    for (const [sort, expected, scope] of [
      ['date', obs, ''],
      ['-date', [...obs].reverse(), ''],
      // Within a compartment (a prepared statement on PostgreSQL), with the cursor as a parameter.
      ['-date', [obs[3]!, obs[1]!], `&patient=${pid2}`],
      // A quantity parameter by value, and a token parameter by code (ties by id).
      ['value-quantity', obs, ''],
      ['-value-quantity', [...obs].reverse(), ''],
      ['status', [obs[3]!, ...obs.slice(0, 3).sort()], ''],
      ['-status', [...obs.slice(0, 3).sort().reverse(), obs[3]!], ''],
    ] as const) {
      const byDate: string[] = [];
      let next: string | undefined = `/fhir/R4/Observation?_count=1&_sort=${sort}${scope}`;
      while (next) {
        const page = await get(next.replace(/^https?:\/\/[^/]+/, ''));
        byDate.push(...ids(page.body));
        next = page.body.link.find((l) => l.relation === 'next')?.url;
      }
      expect(byDate, sort).toEqual(expected);
    }
    // Names are stored only as blind indexes: no order to sort by, and the error says so.
    const byName = await get('/fhir/R4/Patient?_sort=family');
    expect(byName.status).toBe(400);
    expect(byName.raw).toContain('cannot be sorted on');
    expect((await get('/fhir/R4/Observation?_sort=patient')).status).toBe(400);
    expect((await get('/fhir/R4/Observation?_summary=count')).body).toMatchObject({ total: 4 });
    expect((await get('/fhir/R4/Observation?_summary=count')).body.entry).toEqual([]);
    const minimal = await get(`/fhir/R4/Observation?_id=${obs[0]}&_elements=status`);
    const resource = minimal.body.entry![0]!.resource as unknown as Record<string, unknown>;
    expect(Object.keys(resource).sort()).toEqual(['id', 'meta', 'resourceType', 'status']);
    const inc = await get(`/fhir/R4/Observation?_id=${obs[0]}&_include=Observation:patient`);
    expect(ids(inc.body, 'include')).toEqual([pid]);
    const rev = await get(`/fhir/R4/Patient?_id=${pid2}&_revinclude=Observation:subject`);
    expect(ids(rev.body, 'include').sort()).toEqual([obs[1]!, obs[3]!].sort());
    const form = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation/_search',
      headers: { ...staff, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `patient=${pid}&code=2345-7`,
    });
    expect(ids(form.json()).sort()).toEqual([obs[0]!, obs[2]!].sort());
    const tampered = Buffer.from(JSON.stringify({ q: 'x', a: ['a', 'b'] })).toString('base64url');
    expect((await get(`/fhir/R4/Observation?_count=1&_cursor=${tampered}`)).status).toBe(400);
  });

  it('leaks nothing about hidden resources: totals, pages, cursors and includes skip them', async () => {
    h.policy.hidden.add(`Observation/${obs[1]}`);
    h.policy.hidden.add(`Patient/${pid2}`);
    try {
      expect((await get('/fhir/R4/Observation?_summary=count')).body.total).toBe(3);
      expect((await get('/fhir/R4/Observation?_total=accurate')).body.total).toBe(3);
      const seen: string[] = [];
      let url: string | undefined = '/fhir/R4/Observation?_count=1';
      let pages = 0;
      while (url) {
        const page = await get(url.replace(/^https?:\/\/[^/]+/, ''));
        expect(ids(page.body)).toHaveLength(1);
        seen.push(...ids(page.body));
        url = page.body.link.find((l) => l.relation === 'next')?.url;
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).not.toContain(obs[1]);
      const inc = await get(`/fhir/R4/Observation?_id=${obs[3]}&_include=Observation:patient`);
      expect(ids(inc.body, 'include')).toEqual([]);
      expect(
        ids(
          (await get(`/fhir/R4/Patient?_id=${pid}&_revinclude=Observation:subject`)).body,
          'include',
        ).sort(),
      ).toEqual([obs[0]!, obs[2]!].sort());
      const search = h.audit.events.filter((e) => e.action === 'search').at(-1)!;
      expect(search.resourceIds).not.toContain(`Observation/${obs[1]}`);
    } finally {
      h.policy.hidden.clear();
    }
  });

  it('binds every parameter: hostile strings answer 400 or match nothing, and nothing is harmed', async () => {
    for (const [type, defs] of Object.entries(searchParams)) {
      const names = [
        ...Object.keys(defs),
        '_id',
        '_lastUpdated',
        '_count',
        '_sort',
        '_elements',
        '_include',
        '_cursor',
        '_summary',
      ];
      for (const name of names) {
        for (const value of hostile) {
          const url = `/fhir/R4/${type}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
          const res = await h.app.inject({ method: 'GET', url, headers: staff });
          expect([200, 400], `${url}: ${res.body}`).toContain(res.statusCode);
          if (res.statusCode === 200) expect(res.json().entry ?? [], url).toEqual([]);
        }
      }
      for (const value of hostile) {
        const res = await h.app.inject({
          method: 'GET',
          url: `/fhir/R4/${type}?${encodeURIComponent(value)}=x`,
          headers: staff,
        });
        expect(res.statusCode).toBe(400);
      }
    }
    expect((await get('/fhir/R4/Observation?_summary=count')).body.total).toBe(4);
    expect(ids((await get('/fhir/R4/Patient?name=zebu')).body)).toEqual([pid]);
  });
});
