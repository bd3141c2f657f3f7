import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import { verifyCheckpoint } from '../../src/modules/audit/checkpoint/index.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/modules/audit/merkle/index.ts';
import type { AccessLogEntry } from '../../src/modules/audit/index.ts';
import { entryPageQuery } from '../../src/modules/audit/ledger/ledger-store.ts';
import { ledgerQueryStatement, type LedgerQuery } from '../../src/modules/audit/query/query-store.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { clinician, manualCheckpoints, readEvent } from './audit-fixtures.ts';
import {
  addDelegation,
  bearer,
  createInstitutions,
  createUser,
  signIn,
  type FixtureUser,
} from './identity-fixtures.ts';

const justification = 'Patient unconscious in the emergency department; allergies needed now';

/** The parts of a FHIR AuditEvent these assertions read. */
interface AuditEventJson {
  meta: { security?: unknown; profile: string[] };
  outcome: string;
  agent: { who: { identifier?: { value: string }; display?: string } }[];
  entity?: unknown[];
  [key: string]: unknown;
}

describe.each(backends)('audit APIs — $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  let patient: FixtureUser;
  let delegate: FixtureUser;
  let doctor: FixtureUser;
  let officer: FixtureUser;
  const tokens: Record<string, string> = {};
  const get = (url: string, who?: string) =>
    app.inject({ method: 'GET', url, headers: who ? bearer(tokens[who]!) : {} });

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'auditapi', manualCheckpoints);
    app = await buildApp(t.runtime);
    await createInstitutions(t.runtime.records, [
      { id: 'inst-a', name: 'Alpha General' },
      { id: 'inst-b', name: 'Beta Clinic' },
    ]);
    patient = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: 'inst-a',
      patientId: 'pat-1',
    });
    delegate = await createUser(t.runtime.records, { roles: ['delegate'], institution: 'inst-a' });
    await addDelegation(t.runtime.records, delegate.id, 'pat-1', 'parent');
    doctor = await createUser(t.runtime.records, {
      roles: ['physician'],
      institution: 'inst-b',
      practitionerId: 'prac-9',
    });
    officer = await createUser(t.runtime.records, { roles: ['privacy-officer'], institution: 'inst-a' });
    for (const [name, user] of Object.entries({ patient, delegate, doctor, officer })) {
      tokens[name] = (await signIn(app, user)).access_token;
    }
    const audit = t.runtime.auditLog;
    const asDoctor = (extra = {}) => clinician({ subject: doctor.id, institution: 'inst-b', ...extra });
    await audit.append(asDoctor(), readEvent('pat-1', { category: 'labs' }));
    await audit.append(
      asDoctor(),
      readEvent('pat-1', { category: 'notes', resourceType: 'DocumentReference' }),
    );
    await audit.append(
      asDoctor({
        purpose: 'ETREAT',
        breakGlass: {
          grantId: 'bg-7',
          patientId: 'pat-1',
          expiresAt: new Date(Date.now() + 3_600_000),
          justification,
        },
      }),
      readEvent('pat-1', { category: 'medications', resourceType: 'MedicationRequest' }),
    );
    await audit.append(
      asDoctor(),
      readEvent('pat-1', { outcome: 'deny', category: 'psychiatry', reason: 'consent_denied' }),
    );
    await audit.append(asDoctor(), readEvent('pat-2'));
    await audit.append(
      clinician({ subject: patient.id, roles: ['patient'], patientId: 'pat-1', purpose: undefined }),
      readEvent('pat-1'),
    );
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('records sign-ins from identity in the ledger', async () => {
    await t.runtime.auditLog.flush();
    await expect
      .poll(async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from audit_entry where subject = ${doctor.id} and action = 'login' and outcome = 'permit'`.execute(
          t.runtime.audit.db,
        );
        return rows[0]!.n;
      })
      .toBeGreaterThanOrEqual(1);
  });

  it('shows a patient who accessed their chart, with names, roles, institutions and break-glass justification', async () => {
    const response = await get('/api/me/access-log', 'patient');
    expect(response.statusCode).toBe(200);
    const { entries } = response.json() as { entries: AccessLogEntry[] };
    expect(entries.length).toBe(5);
    expect(entries.every((e) => typeof e.id === 'string' && e.at)).toBe(true);
    const glass = entries.filter((e) => e.breakGlass);
    expect(glass).toEqual([
      expect.objectContaining({
        actor: { name: `Test ${doctor.username}`, role: 'physician', institution: 'Beta Clinic' },
        action: 'read',
        category: 'medications',
        resourceType: 'MedicationRequest',
        purpose: 'ETREAT',
        breakGlass: true,
        justification,
        outcome: 'permit',
      }),
    ]);
    expect(entries.filter((e) => !e.breakGlass).every((e) => !('justification' in e))).toBe(true);
    expect(entries.map((e) => e.outcome)).toContain('deny');
  });

  it('filters and pages the access log, and exports it as CSV', async () => {
    const onlyGlass = (await get('/api/me/access-log?breakGlass=true', 'patient')).json() as {
      entries: AccessLogEntry[];
    };
    expect(onlyGlass.entries.map((e) => e.category)).toEqual(['medications']);
    const notes = (await get('/api/me/access-log?category=notes', 'patient')).json() as {
      entries: AccessLogEntry[];
    };
    expect(notes.entries.map((e) => e.resourceType)).toEqual(['DocumentReference']);
    const first = (await get('/api/me/access-log?limit=2', 'patient')).json() as {
      entries: AccessLogEntry[];
      next: string;
    };
    expect(first.entries).toHaveLength(2);
    const second = (await get(`/api/me/access-log?limit=2&cursor=${first.next}`, 'patient')).json() as {
      entries: AccessLogEntry[];
    };
    expect(Number(second.entries[0]!.id)).toBeLessThan(Number(first.entries[1]!.id));
    const future = (await get('/api/me/access-log?from=2999-01-01', 'patient')).json() as {
      entries: unknown[];
    };
    expect(future.entries).toEqual([]);
    const csv = await get('/api/me/access-log?format=csv', 'patient');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor_name,actor_role,actor_institution,action,category,resource_type,purpose,break_glass,justification,outcome',
    );
    expect(lines).toHaveLength(6);
    expect(csv.body).toContain(justification.replace(/;/g, ';'));
  });

  it('lets a delegate read the chart they act for, and nobody read another chart', async () => {
    const forChild = (await get('/api/me/access-log?patient=pat-1', 'delegate')).json() as {
      entries: unknown[];
    };
    expect(forChild.entries).toHaveLength(5);
    expect((await get('/api/me/access-log?patient=pat-2', 'patient')).statusCode).toBe(403);
    expect((await get('/api/me/access-log?patient=pat-2', 'delegate')).statusCode).toBe(403);
    expect((await get('/api/me/access-log', 'doctor')).statusCode).toBe(403);
    expect((await get('/api/me/access-log')).statusCode).toBe(401);
    expect((await get('/api/me/access-log?limit=abc', 'patient')).statusCode).toBe(400);
  });

  it('answers privacy officers with IHE BALP AuditEvents, filtered by patient, agent, date, purpose, outcome, break-glass', async () => {
    const search = async (query: string) => {
      const response = await get(`/fhir/R4/AuditEvent?${query}`, 'officer');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/application\/fhir\+json/);
      return (response.json() as { entry: { resource: AuditEventJson }[] }).entry.map((e) => e.resource);
    };
    // The officer's own earlier searches are in the ledger too (category audit); leave them out here.
    const clinical = (resources: AuditEventJson[]) =>
      resources.filter((r) => r.agent[0]?.who.identifier?.value !== officer.id);
    const forPatient = clinical(await search('patient=Patient/pat-1'));
    expect(forPatient).toHaveLength(5);
    const glass = forPatient.find((r) => r.meta.security)!;
    expect(glass).toMatchObject({
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      action: 'R',
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }, { coding: [{ code: 'BTG' }] }],
      meta: { profile: [expect.stringContaining('IHE.BasicAudit.PatientRead')] },
    });
    expect(glass.agent[0]).toMatchObject({
      requestor: true,
      who: { identifier: { value: doctor.id }, display: `Test ${doctor.username}` },
    });
    expect(glass.entity).toContainEqual(expect.objectContaining({ what: { reference: 'Patient/pat-1' } }));
    expect(JSON.stringify(glass.entity)).toContain(justification);

    expect((await search('patient=pat-1&outcome=4')).map((r) => r.outcome)).toEqual(['4']);
    expect(await search('patient=pat-1&break-glass=true')).toHaveLength(1);
    expect(await search('purpose=ETREAT&patient=pat-1')).toHaveLength(1);
    expect((await search(`agent=${doctor.id}`)).length).toBeGreaterThanOrEqual(5);
    expect(await search('patient=pat-1&date=ge2999-01-01')).toHaveLength(0);
    expect(clinical(await search(`patient=pat-1&date=ge2020-01-01&date=le2999-01-01`))).toHaveLength(5);
    const paged = (await get('/fhir/R4/AuditEvent?patient=pat-1&_count=2', 'officer')).json() as {
      link: { relation: string; url: string }[];
    };
    const next = paged.link.find((l) => l.relation === 'next')!;
    expect(next.url).toMatch(/_cursor=\d+/);
    expect((await get(next.url, 'officer')).statusCode).toBe(200);

    expect((await get('/fhir/R4/AuditEvent?patient=pat-1', 'doctor')).statusCode).toBe(403);
    expect((await get('/fhir/R4/AuditEvent?patient=pat-1', 'patient')).statusCode).toBe(403);
    expect((await get('/fhir/R4/AuditEvent?patient=pat-1')).statusCode).toBe(401);
    expect((await get('/fhir/R4/AuditEvent?date=yesterday', 'officer')).statusCode).toBe(400);
  });

  it('records every privacy-officer query in the ledger', async () => {
    await get('/fhir/R4/AuditEvent?patient=pat-2', 'officer');
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from audit_entry where subject = ${officer.id} and patient_id = 'pat-2' and action = 'search'`.execute(
      t.runtime.audit.db,
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('gives the accounting of disclosures (others only, 6 years) and the break-glass report', async () => {
    const disclosures = await get('/api/patients/pat-1/disclosures', 'officer');
    expect(disclosures.statusCode).toBe(200);
    const body = disclosures.json() as {
      from: string;
      disclosures: (AccessLogEntry & { description: string })[];
    };
    expect(new Date(body.from).getTime()).toBeLessThan(Date.now() - 6 * 365 * 86_400_000 + 86_400_000);
    expect(body.disclosures.every((d) => d.actor.role !== 'patient' && d.outcome === 'permit')).toBe(true);
    expect(body.disclosures.map((d) => d.category).sort()).toEqual(['labs', 'medications', 'notes']);
    expect((await get('/api/patients/pat-1/disclosures', 'doctor')).statusCode).toBe(403);

    const report = await get('/api/audit/break-glass', 'officer');
    expect(report.statusCode).toBe(200);
    expect((report.json() as { entries: unknown[] }).entries).toEqual([
      expect.objectContaining({
        patient: 'pat-1',
        grantId: 'bg-7',
        justification,
        subject: doctor.id,
        breakGlass: true,
      }),
    ]);
    expect((await get('/api/audit/break-glass', 'patient')).statusCode).toBe(403);
  });

  it('serves the signed checkpoint and proofs publicly', async () => {
    expect((await get('/audit/proof/inclusion?index=0&size=999999')).statusCode).toBe(400);
    const audit = t.runtime.auditLog;
    const firstSize = await audit.checkpoints.checkpointNow();
    await audit.append(clinician(), readEvent('pat-3'));
    const secondSize = await audit.checkpoints.checkpointNow();
    expect(secondSize).toBeGreaterThan(firstSize);
    const response = await get('/audit/checkpoint');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const checkpoint = verifyCheckpoint(response.body, audit.verifier);
    expect(checkpoint.size).toBe(secondSize);

    const { rows } = await sql<{ entry: string }>`select entry from audit_entry where seq = 2`.execute(
      t.runtime.audit.db,
    );
    const inclusion = (await get(`/audit/proof/inclusion?index=2&size=${checkpoint.size}`)).json() as {
      hashes: string[];
      rootHash: string;
    };
    const proof = inclusion.hashes.map((h) => Buffer.from(h, 'base64'));
    expect(Buffer.from(inclusion.rootHash, 'base64').equals(Buffer.from(checkpoint.rootHash))).toBe(true);
    expect(
      verifyInclusion(
        leafHash(new TextEncoder().encode(rows[0]!.entry)),
        2,
        checkpoint.size,
        proof,
        checkpoint.rootHash,
      ),
    ).toBe(true);

    const oldRoot = Buffer.from(
      ((await get(`/audit/proof/inclusion?index=0&size=${firstSize}`)).json() as { rootHash: string })
        .rootHash,
      'base64',
    );
    const consistency = (
      await get(`/audit/proof/consistency?from=${firstSize}&to=${checkpoint.size}`)
    ).json() as { hashes: string[] };
    expect(
      verifyConsistency(
        firstSize,
        checkpoint.size,
        consistency.hashes.map((h) => Buffer.from(h, 'base64')),
        oldRoot,
        checkpoint.rootHash,
      ),
    ).toBe(true);
    expect((await get('/audit/proof/consistency?from=5&to=2')).statusCode).toBe(400);
    expect((await get('/audit/proof/inclusion?index=x&size=2')).statusCode).toBe(400);
  });

  it('exports ledger size, replication lag and verification status as metrics', async () => {
    const body = (await get('/metrics')).body;
    expect(body).toMatch(/carebase_audit_entries \d+/);
    expect(body).toMatch(/carebase_audit_replication_lag_entries -?\d+/);
    expect(body).toContain('carebase_audit_verification_failed 0');
  });

  it('serves each query filter, and the replication page read, from an index in order: no scan, no sort', async () => {
    const filters: Omit<LedgerQuery, 'limit'>[] = [
      { patient: 'pat-1' },
      { subject: 'x' },
      { from: new Date(Date.now() - 86_400_000) },
      { purpose: 'ETREAT' },
      { outcome: 'deny' },
      { breakGlass: true },
      { patient: 'pat-1', before: 10 },
    ];
    // The statements the functions run, planned where a scan or a sort is chosen only if nothing else can
    // answer (on a table this small the planner would otherwise prefer them): each must have an index that
    // yields its entries already in order, so a page stops at its end whatever the ledger's size.
    const statements = [
      ...filters.map((f) => ledgerQueryStatement({ ...f, limit: 50 })),
      entryPageQuery(1, 100),
    ];
    await t.runtime.audit.db.transaction().execute(async (trx) => {
      for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'])
        await sql`select set_config(${setting}, 'off', true)`.execute(trx);
      for (const statement of statements) {
        const { rows } = await sql<Record<string, string>>`explain ${statement}`.execute(trx);
        const plan = rows.map((r) => Object.values(r)[0]).join('\n');
        expect(plan, statement.compile(trx).sql).not.toMatch(/Seq Scan|Sort/);
      }
    });
  });
});
