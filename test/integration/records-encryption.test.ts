import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataKeyRing, createLocalKeyEncryptionKeys } from '../../src/modules/keys/index.ts';
import { compartmentSource, createRecordsService } from '../../src/modules/records/index.ts';
import { seedSyntheticData } from '../../src/modules/synthetic/index.ts';
import { systemContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { as, recordsHarness, type RecordsHarness } from '../support/records-fixtures.ts';
import { noteText, patientName, patientResource, sampleResources } from '../support/records-resources.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';

const staff = as({ roles: ['physician'], institution: 'north', subject: 'dr-north' });
const secrets = [patientName.family, patientName.given[0]!, 'xylophonic', 'MRN-778899'];

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(full)));
    else out.push(full);
  }
  return out;
}

describe.each(backends)('records encryption on $name', (backend) => {
  let t: TestRuntime;
  let h: RecordsHarness;
  let pid: string;
  let other: string;
  let note: string;
  let lab: string;
  let otherLab: string;
  const system = systemContext('records encryption test');
  const raw = <T>(fn: (trx: Kysely<unknown>) => Promise<T>) =>
    inCallerTransaction(t.runtime.records, system, (trx) => fn(trx as unknown as Kysely<unknown>));
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
  const read = (type: string, id: string) =>
    h.app.inject({ method: 'GET', url: `/fhir/R4/${type}/${id}`, headers: staff });

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'records_crypto');
    await raw((trx) => sql`insert into institution (id, name) values ('north', 'North')`.execute(trx));
    h = await recordsHarness(t.runtime);
    pid = await post('Patient', patientResource());
    other = await post('Patient', {
      ...patientResource('MRN-OTHER'),
      name: [{ family: 'Other', given: ['Person'] }],
    });
    note = await post('DocumentReference', sampleResources(pid).DocumentReference);
    lab = await post('Observation', sampleResources(pid).Observation);
    otherLab = await post('Observation', sampleResources(other).Observation);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await t?.cleanup();
  });

  it('stores no plaintext names, identifiers or note text in any row (or, embedded, any database file)', async () => {
    for (const table of ['resource', 'resource_history', 'resource_search', 'data_key']) {
      const { rows } = await raw((trx) =>
        sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(trx),
      );
      expect(rows.length).toBeGreaterThan(0);
      const text = rows
        .map((r) => r.row)
        .join('\n')
        .toLowerCase();
      for (const secret of secrets)
        expect(text, `${table} holds ${secret}`).not.toContain(secret.toLowerCase());
    }
    if (backend.kind === 'embedded') {
      await raw((trx) => sql`checkpoint`.execute(trx)).catch(() => undefined);
      const dir = path.join(t.config.dataDir, 'records');
      for (const file of await files(dir)) {
        const bytes = (await readFile(file)).toString('latin1').toLowerCase();
        for (const secret of secrets)
          expect(bytes.includes(secret.toLowerCase()), `${file} holds ${secret}`).toBe(false);
      }
    }
    expect((await read('DocumentReference', note)).json().description).toBe(noteText);
  });

  it('refuses a ciphertext moved to another row', async () => {
    await raw((trx) =>
      sql`update resource set body_enc = (select body_enc from resource where id = ${lab}) where id = ${note}`.execute(
        trx,
      ),
    );
    const moved = await read('DocumentReference', note);
    expect(moved.statusCode).toBe(500);
    expect(moved.body).not.toContain('xylophonic');
    // Restore from history (same id and version): it opens again.
    await raw((trx) =>
      sql`update resource r set body_enc = h.body_enc from resource_history h
          where r.id = ${note} and h.id = r.id and h.version_id = r.version_id`.execute(trx),
    );
    expect((await read('DocumentReference', note)).statusCode).toBe(200);
  });

  it('rotates the KEK online: every key re-wrapped, everything readable, also by a fresh process', async () => {
    const before = await raw((trx) =>
      sql<{ kek_id: string }>`select distinct kek_id from data_key`.execute(trx),
    );
    const result = await h.service.rotateKeys(system, { newKek: true });
    expect(result.rewrapped).toBe(2);
    const after = await raw((trx) =>
      sql<{ kek_id: string }>`select distinct kek_id from data_key`.execute(trx),
    );
    expect(after.rows.map((r) => r.kek_id)).toEqual(['local:north:v2']);
    expect(before.rows.map((r) => r.kek_id)).toEqual(['local:north:v1']);
    for (const [type, id] of [
      ['Patient', pid],
      ['DocumentReference', note],
      ['Observation', lab],
    ] as const) {
      expect((await read(type, id)).statusCode).toBe(200);
    }
    const fresh = createRecordsService({
      ...h.service.deps,
      keys: createDataKeyRing(createLocalKeyEncryptionKeys(t.config.keysDir)),
    });
    const doc = await fresh.session(system).read('DocumentReference', note);
    expect(doc.description).toBe(noteText);
    const kekFile = path.join(t.config.keysDir, 'kek', 'north.v2.key');
    expect((await stat(kekFile)).mode & 0o777).toBe(0o600);
    expect(h.audit.events.some((e) => e.action === 'key-operation' && e.reason === 'kek_rotation')).toBe(
      true,
    );
  });

  it('crypto-shreds one patient: unreadable everywhere, audited, and no other patient affected', async () => {
    const caller = (roles: string[]) => ({
      'x-test-caller': JSON.stringify({ roles, institution: 'north' }),
    });
    const denied = await h.app.inject({
      method: 'POST',
      url: `/api/records/patients/${pid}/erase`,
      headers: caller(['physician']),
    });
    expect(denied.statusCode).toBe(403);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/records/patients/${pid}/erase`,
      headers: caller(['admin']),
    });
    expect(res.statusCode).toBe(204);
    for (const [type, id] of [
      ['Patient', pid],
      ['DocumentReference', note],
      ['Observation', lab],
    ] as const) {
      expect((await read(type, id)).statusCode).toBe(410);
      const old = await h.app.inject({
        method: 'GET',
        url: `/fhir/R4/${type}/${id}/_history/1`,
        headers: staff,
      });
      expect(old.statusCode).toBe(410);
    }
    const search = await h.app.inject({ method: 'GET', url: '/fhir/R4/Observation', headers: staff });
    expect(search.json().entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([otherLab]);
    expect((await read('Patient', other)).statusCode).toBe(200);
    expect((await read('Observation', otherLab)).json().subject.reference).toBe(`Patient/${other}`);
    const write = await h.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: staff,
      payload: sampleResources(pid).Observation,
    });
    expect(write.statusCode).toBe(410);
    expect(h.audit.events).toContainEqual(
      expect.objectContaining({ action: 'key-operation', reason: 'crypto_shred', patientId: pid }),
    );
    // The decrypting source for consent-gated system exports: the shredded patient yields nothing.
    const source = compartmentSource(h.service.deps, 'records encryption test export');
    expect(await source([pid])).toEqual([]);
    const exported = await source([other]);
    expect(exported.map((r) => r.body.resourceType).sort()).toEqual(['Observation', 'Patient']);
    expect(exported.find((r) => r.facts.resourceType === 'Patient')!.body.name).toEqual([
      { family: 'Other', given: ['Person'] },
    ]);
  });

  it('loads synthetic data through the encrypted bulk path with the authz projection hook', async () => {
    const projectedBefore = h.policy.projected.length;
    const result = await seedSyntheticData(t.runtime.records, {
      seed: 5,
      patients: 3,
      institutions: 1,
      records: { keys: h.service.deps.keys, policy: h.policy.policy },
    });
    expect(result.resources).toBeGreaterThan(10);
    expect(h.policy.projected.length - projectedBefore).toBe(result.resources);
    const { rows } = await raw((trx) =>
      sql<{ plain: number; sealed: number }>`select count(*) filter (where body is not null)::int as plain,
        count(*) filter (where body_enc is not null)::int as sealed from resource_history`.execute(trx),
    );
    expect(rows[0]!.plain).toBe(0);
    const patients = await h.service
      .session(system)
      .search('Patient', { _count: '10', organization: undefined });
    const seeded = (
      patients.toJSON() as { entry: { resource: { id: string; name?: { family?: string }[] } }[] }
    ).entry
      .map((e) => e.resource)
      .filter((p) => p.id !== pid && p.id !== other);
    expect(seeded).toHaveLength(3);
    const family = seeded[0]!.name![0]!.family!;
    for (const table of ['resource', 'resource_history', 'resource_search']) {
      const dump = await raw((trx) =>
        sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(trx),
      );
      expect(dump.rows.map((r) => r.row).join('\n')).not.toContain(family);
    }
    const found = await h.service.session(system).search('Patient', { family: family });
    expect((found.toJSON() as { entry: unknown[] }).entry).toHaveLength(1);
  });
});
