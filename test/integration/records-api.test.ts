import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCurrentRow } from '../../src/modules/records/fast-read.ts';
import { systemContext, userContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { as, recordsHarness, type RecordsHarness } from '../support/records-fixtures.ts';
import { patientResource, sampleResources } from '../support/records-resources.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';

const staff = as({ roles: ['physician'], institution: 'north', subject: 'dr-north' });

describe.each(backends)('records FHIR API on $name', (backend) => {
  let t: TestRuntime;
  let h: RecordsHarness;
  let pid: string;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'records_api');
    await inCallerTransaction(t.runtime.records, systemContext('test fixture'), (trx) =>
      (trx as unknown as Kysely<{ institution: { id: string; name: string } }>)
        .insertInto('institution')
        .values([
          { id: 'north', name: 'North' },
          { id: 'south', name: 'South' },
        ])
        .execute(),
    );
    h = await recordsHarness(t.runtime);
    const res = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient',
      headers: staff,
      payload: patientResource(),
    });
    expect(res.statusCode).toBe(201);
    pid = res.json().id;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await t?.cleanup();
  });

  it('serves a CapabilityStatement listing what is implemented', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/fhir/R4/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    const types = res.json().rest[0].resource.map((r: { type: string }) => r.type);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Observation', 'Binary', 'AuditEvent']));
  });

  it('creates, reads, updates (If-Match), vreads and lists history for every writable type', async () => {
    for (const [type, body] of Object.entries(sampleResources(pid))) {
      const created = await h.app.inject({
        method: 'POST',
        url: `/fhir/R4/${type}`,
        headers: staff,
        payload: body,
      });
      expect(created.statusCode, `${type} create: ${created.body}`).toBe(201);
      const c = created.json();
      expect(created.headers.etag).toBe('W/"1"');
      expect(created.headers.location).toContain(`/fhir/R4/${type}/${c.id}/_history/1`);
      expect(c.meta.security.length).toBeGreaterThan(0);

      const read = await h.app.inject({ method: 'GET', url: `/fhir/R4/${type}/${c.id}`, headers: staff });
      expect(read.statusCode, `${type} read`).toBe(200);
      expect(read.json()).toEqual(c);
      expect(read.headers['content-type']).toContain('application/fhir+json');
      expect(read.headers.etag).toBe('W/"1"');
      expect(read.headers['last-modified']).toBe(new Date(c.meta.lastUpdated).toUTCString());

      const stale = await h.app.inject({
        method: 'PUT',
        url: `/fhir/R4/${type}/${c.id}`,
        headers: { ...staff, 'if-match': 'W/"7"' },
        payload: { ...c },
      });
      expect(stale.statusCode, `${type} stale update`).toBe(412);
      const updated = await h.app.inject({
        method: 'PUT',
        url: `/fhir/R4/${type}/${c.id}`,
        headers: { ...staff, 'if-match': 'W/"1"' },
        payload: { ...c, language: 'en' },
      });
      expect(updated.statusCode, `${type} update: ${updated.body}`).toBe(200);
      expect(updated.json().meta.versionId).toBe('2');

      const v1 = await h.app.inject({
        method: 'GET',
        url: `/fhir/R4/${type}/${c.id}/_history/1`,
        headers: staff,
      });
      expect(v1.json().language).toBeUndefined();
      expect(v1.headers.etag).toBe('W/"1"');
      const history = await h.app.inject({
        method: 'GET',
        url: `/fhir/R4/${type}/${c.id}/_history`,
        headers: staff,
      });
      expect(
        history
          .json()
          .entry.map((e: { resource: { meta: { versionId: string } } }) => e.resource.meta.versionId),
      ).toEqual(['2', '1']);

      const search = await h.app.inject({
        method: 'GET',
        url: `/fhir/R4/${type}?_id=${c.id}`,
        headers: staff,
      });
      expect(search.json().entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([c.id]);
    }
    expect(h.policy.projected.length).toBeGreaterThan(20);
  });

  it('derives category and sensitivity on write and ignores what the client claims', async () => {
    const body = {
      ...sampleResources(pid).Condition,
      code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008' }] },
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }] },
    };
    const res = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Condition',
      headers: staff,
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().meta.security.map((s: { code: string }) => s.code)).toEqual(['R', 'HIV']);
    const rows = await inCallerTransaction(t.runtime.records, systemContext('test'), (trx) =>
      (trx as unknown as Kysely<{ resource: { id: string; category: string; security: string[] } }>)
        .selectFrom('resource')
        .select(['category', 'security'])
        .where('id', '=', res.json().id)
        .execute(),
    );
    expect(rows[0]).toEqual({ category: 'summary', security: ['R', 'HIV'] });
  });

  it('rejects invalid input with OperationOutcomes naming the problem, writing nothing', async () => {
    const count = async () =>
      (
        await h.app.inject({ method: 'GET', url: '/fhir/R4/Observation?_summary=count', headers: staff })
      ).json().total;
    const before = await count();
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/fhir/R4/Observation', '{"resourceType": "Observ', 400, /not valid JSON/],
      ['POST', '/fhir/R4/Spaceship', { resourceType: 'Spaceship' }, 404, /not supported/],
      ['POST', '/fhir/R4/Observation', { resourceType: 'Patient' }, 400, /Expected Observation/],
      [
        'POST',
        '/fhir/R4/Observation',
        { ...sampleResources(pid).Observation, bogus: 1, effectiveDateTime: 'yesterday' },
        400,
        /bogus/,
      ],
      [
        'POST',
        '/fhir/R4/Observation',
        { ...sampleResources(pid).Observation, subject: { reference: 'Group/x' } },
        400,
        /Must reference a Patient/,
      ],
      ['GET', '/fhir/R4/Observation/bad$id', undefined, 400, /valid FHIR id/],
      ['GET', `/fhir/R4/Observation/${'a'.repeat(65)}`, undefined, 400, /valid FHIR id/],
      [
        'PUT',
        '/fhir/R4/Observation/abc',
        { ...sampleResources(pid).Observation, id: 'other' },
        400,
        /match the id/,
      ],
      [
        'PUT',
        '/fhir/R4/Observation/does-not-exist',
        { ...sampleResources(pid).Observation, id: 'does-not-exist' },
        404,
        /not known/,
      ],
      ['POST', '/fhir/R4/AuditEvent', { resourceType: 'AuditEvent' }, 405, /read-only/],
    ];
    for (const [method, url, payload, status, message] of cases) {
      const res = await h.app.inject({
        method: method as 'GET',
        url,
        headers: staff,
        ...(payload === undefined
          ? {}
          : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      const outcome = res.json();
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(outcome)).toMatch(message);
    }
    const invalid = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: staff,
      payload: { ...sampleResources(pid).Observation, bogus: 1, effectiveDateTime: 'yesterday' },
    });
    const paths = invalid.json().issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
    expect(paths).toEqual(expect.arrayContaining(['Observation.bogus', 'Observation.effective[x]']));
    const huge = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: staff,
      payload: JSON.stringify({
        ...sampleResources(pid).Observation,
        note: [{ text: 'x'.repeat(t.config.http.bodyLimitBytes) }],
      }),
    });
    expect(huge.statusCode).toBe(413);
    expect(await count()).toBe(before);
  });

  it('hides what the caller may not see: 404 indistinguishable from missing, 403 only with disclosure', async () => {
    const obs = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: staff,
      payload: sampleResources(pid).Observation,
    });
    const id = obs.json().id;
    const south = as({ roles: ['physician'], institution: 'south' });
    // Another institution's row is filtered by RLS (layer 3) before the policy even sees it.
    const rls = await h.app.inject({ method: 'GET', url: `/fhir/R4/Observation/${id}`, headers: south });
    expect(rls.statusCode).toBe(404);
    // The same institution, denied by the policy (layer 2), answers exactly like a missing resource.
    h.policy.hidden.add(`Observation/${id}`);
    const hidden = await h.app.inject({ method: 'GET', url: `/fhir/R4/Observation/${id}`, headers: staff });
    const missing = await h.app.inject({
      method: 'GET',
      url: '/fhir/R4/Observation/nope-404',
      headers: staff,
    });
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(hidden.json().issue[0].code).toBe(missing.json().issue[0].code);
    expect(hidden.body.replace(id, 'X')).toBe(missing.body.replace('nope-404', 'X'));
    for (const url of [`/fhir/R4/Observation/${id}/_history`, `/fhir/R4/Observation/${id}/_history/1`]) {
      expect((await h.app.inject({ method: 'GET', url, headers: south })).statusCode).toBe(404);
      expect((await h.app.inject({ method: 'GET', url, headers: staff })).statusCode).toBe(404);
    }
    const listed = await h.app.inject({
      method: 'GET',
      url: `/fhir/R4/Observation?_id=${id}&_total=accurate`,
      headers: staff,
    });
    expect(listed.json().total).toBe(0);
    h.policy.hidden.delete(`Observation/${id}`);
    const psy = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Condition',
      headers: staff,
      payload: {
        ...sampleResources(pid).Condition,
        code: { coding: [{ system: 'http://snomed.info/sct', code: '35489007' }] },
      },
    });
    expect(psy.statusCode, psy.body).toBe(403);
    expect(psy.json().issue[0].diagnostics).toContain('consent_required');
    const denials = h.audit.events.filter((e) => e.outcome === 'deny');
    expect(denials.map((e) => e.reason)).toEqual(expect.arrayContaining(['hidden', 'consent_required']));
  });

  it('audits before answering and fails closed when the ledger fails', async () => {
    const obs = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: staff,
      payload: sampleResources(pid).Observation,
    });
    const id = obs.json().id;
    const before = h.audit.events.length;
    await h.app.inject({ method: 'GET', url: `/fhir/R4/Observation/${id}`, headers: staff });
    expect(h.audit.events.slice(before)).toEqual([
      expect.objectContaining({ action: 'read', outcome: 'permit', resourceIds: [id], patientId: pid }),
    ]);
    h.audit.state.fail = true;
    try {
      expect(
        (await h.app.inject({ method: 'GET', url: `/fhir/R4/Observation/${id}`, headers: staff })).statusCode,
      ).toBe(500);
      const write = await h.app.inject({
        method: 'POST',
        url: '/fhir/R4/Observation',
        headers: staff,
        payload: sampleResources(pid).Observation,
      });
      expect(write.statusCode).toBe(500);
      expect(write.body).not.toContain('ledger');
    } finally {
      h.audit.state.fail = false;
    }
    const count = (
      await h.app.inject({
        method: 'GET',
        url: `/fhir/R4/Observation?_summary=count&patient=${pid}`,
        headers: staff,
      })
    ).json().total;
    const again = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: staff,
      payload: sampleResources(pid).Observation,
    });
    expect(again.statusCode).toBe(201);
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: `/fhir/R4/Observation?_summary=count&patient=${pid}`,
          headers: staff,
        })
      ).json().total,
    ).toBe(count + 1);
  });

  it('detects concurrent updates by version', async () => {
    const obs = (
      await h.app.inject({
        method: 'POST',
        url: '/fhir/R4/Observation',
        headers: staff,
        payload: sampleResources(pid).Observation,
      })
    ).json();
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        h.app.inject({
          method: 'PUT',
          url: `/fhir/R4/Observation/${obs.id}`,
          headers: { ...staff, 'if-match': 'W/"1"' },
          payload: { ...obs, language: `x${n}` },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 412)).toHaveLength(3);
  });

  it('runs transaction Bundles all-or-nothing with urn:uuid references, and batches per entry', async () => {
    const tx = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
          resource: patientResource('MRN-TX'),
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            ...sampleResources('x').Observation,
            subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const ok = await h.app.inject({ method: 'POST', url: '/fhir/R4', headers: staff, payload: tx });
    expect(ok.statusCode, ok.body).toBe(200);
    const [p, o] = ok.json().entry;
    expect(p.response.status).toBe('201 Created');
    expect(o.resource.subject.reference).toBe(`Patient/${p.resource.id}`);

    const broken = structuredClone(tx);
    broken.entry[1]!.resource = { ...broken.entry[1]!.resource, bogus: true } as never;
    const before = (
      await h.app.inject({ method: 'GET', url: '/fhir/R4/Patient?_summary=count', headers: staff })
    ).json().total;
    const failed = await h.app.inject({ method: 'POST', url: '/fhir/R4', headers: staff, payload: broken });
    expect(failed.statusCode).toBe(400);
    expect(JSON.stringify(failed.json())).toContain('Bundle.entry[1]');
    expect(
      (await h.app.inject({ method: 'GET', url: '/fhir/R4/Patient?_summary=count', headers: staff })).json()
        .total,
    ).toBe(before);

    const batch = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4',
      headers: staff,
      payload: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: sampleResources(pid).Condition, request: { method: 'POST', url: 'Condition' } },
          {
            resource: { resourceType: 'Condition', bogus: 1 },
            request: { method: 'POST', url: 'Condition' },
          },
          { request: { method: 'GET', url: `Patient/${pid}` } },
        ],
      },
    });
    expect(batch.json().entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '201 Created',
      '400',
      '200 OK',
    ]);
    const writeOnly = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4',
      headers: as({ roles: ['physician'], institution: 'north', scopes: ['user/*.cu'] }),
      payload: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ request: { method: 'GET', url: `Patient/${pid}` } }],
      },
    });
    expect(writeOnly.json().entry[0].response.status).toBe('403');
  });

  it('answers Patient/$everything with the permitted compartment only', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient/${pid}/$everything?_count=200`,
      headers: staff,
    });
    expect(res.statusCode, res.body).toBe(200);
    const types = new Set(
      res.json().entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType),
    );
    expect(types).toEqual(
      new Set([
        'Patient',
        'Observation',
        'DiagnosticReport',
        'DocumentReference',
        'Condition',
        'AllergyIntolerance',
        'MedicationRequest',
        'MedicationStatement',
        'Encounter',
        'ImagingStudy',
        'CareTeam',
        'Consent',
      ]),
    );
    const own = await h.app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient/${pid}/$everything`,
      headers: as({ roles: ['patient'], patientId: pid, institution: 'north' }),
    });
    expect(own.statusCode).toBe(200);
    const other = await h.app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient/${pid}/$everything`,
      headers: as({ roles: ['physician'], institution: 'south' }),
    });
    expect(other.statusCode).toBe(404);
  });

  it('reads in one round trip on PostgreSQL with RLS still applied and no settings left on the pool', async () => {
    const obs = (
      await h.app.inject({
        method: 'POST',
        url: '/fhir/R4/Observation',
        headers: staff,
        payload: sampleResources(pid).Observation,
      })
    ).json();
    const caller = (institution: string) =>
      userContext({ requestId: 'rt', subject: 'rt', roles: ['physician'], institution });
    expect((await readCurrentRow(t.runtime.records, caller('north'), 'Observation', obs.id))?.id).toBe(
      obs.id,
    );
    expect(await readCurrentRow(t.runtime.records, caller('south'), 'Observation', obs.id)).toBeUndefined();
    const anonymous = { ...caller('north'), kind: 'anonymous' as const };
    expect(await readCurrentRow(t.runtime.records, anonymous, 'Observation', obs.id)).toBeUndefined();
    await Promise.all(
      Array.from({ length: 40 }, () =>
        readCurrentRow(t.runtime.records, caller('north'), 'Observation', obs.id),
      ),
    );
    const leftovers = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const { rows } = await sql<{
          kind: string | null;
          inst: string | null;
        }>`select current_setting('carebase.kind', true) as kind,
          current_setting('carebase.institution', true) as inst`.execute(t.runtime.records.db);
        return rows[0]!;
      }),
    );
    for (const row of leftovers) {
      expect(row.kind ?? '').toBe('');
      expect(row.inst ?? '').toBe('');
    }
  });
});
