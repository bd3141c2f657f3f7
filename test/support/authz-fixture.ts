import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import {
  createAccessPolicy,
  projectStoredResources,
  type AccessDecision,
  type Authorization,
  type RecordAction,
  type ResourceFacts,
} from '../../src/modules/authz/index.ts';
import { seedSyntheticData, type DemoCredentials } from '../../src/modules/synthetic/index.ts';
import {
  anonymousContext,
  systemContext,
  userContext,
  type PurposeOfUse,
  type RequestContext,
} from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { openTestRuntime, type Backend, type TestRuntime } from './runtime.ts';

/** Named demo patients by first name (SPEC demo set; see src/modules/synthetic/demo.ts). */
export const demoPatientNames = [
  'alice',
  'ben',
  'carla',
  'daniel',
  'eve',
  'frank',
  'grace',
  'henry',
] as const;
export type DemoPatientName = (typeof demoPatientNames)[number];

export interface StoredRow extends ResourceFacts {
  id: string;
  body: Record<string, unknown>;
}

export interface AuthzFixture {
  t: TestRuntime;
  policy: Authorization;
  credentials: DemoCredentials;
  rows: StoredRow[];
  patientId(name: DemoPatientName): string;
  /** A request context as the edge would build it for a demo login. */
  ctxFor(username: string, purpose?: PurposeOfUse | null, extra?: Partial<RequestContext>): RequestContext;
  /** First stored row of the patient matching the selector (`labs`, `notes:PSY`, `Consent`, `labs!` = unrestricted). */
  row(name: DemoPatientName, selector: string): StoredRow;
  decide(ctx: RequestContext, action: RecordAction, facts: ResourceFacts): Promise<AccessDecision>;
  close(): Promise<void>;
}

const defaultPurpose: Record<string, PurposeOfUse | undefined> = {
  physician: 'TREAT',
  nurse: 'TREAT',
  pharmacist: 'TREAT',
  'lab-technician': 'TREAT',
  radiology: 'TREAT',
  billing: 'HPAYMT',
  researcher: 'HRESCH',
  admin: 'HOPERAT',
  'privacy-officer': 'HOPERAT',
};

export function matches(row: ResourceFacts, selector: string): boolean {
  const [head, label] = selector.split(':');
  const unrestrictedOnly = head!.endsWith('!');
  const what = head!.replace(/!$/, '');
  const kind = /^[A-Z]/.test(what) ? row.resourceType === what : row.category === what;
  if (!kind) return false;
  if (label) return row.security.includes(label);
  if (unrestrictedOnly) return row.security.every((s) => s === 'N');
  return true;
}

/** Demo data (2 institutions, the 8 named patients + `extraPatients`), projections rebuilt, one policy. */
export async function openAuthzFixture(
  backend: Backend,
  label: string,
  extraPatients = 2,
): Promise<AuthzFixture> {
  const t = await openTestRuntime(backend, label);
  try {
    const seeded = await seedSyntheticData(t.runtime.records, {
      demo: true,
      dataDir: t.config.dataDir,
      patients: extraPatients,
    });
    const credentials = JSON.parse(await readFile(seeded.credentialsFile!, 'utf8')) as DemoCredentials;
    const policy = await createAccessPolicy({ database: t.runtime.records, cache: t.runtime.cache });
    await projectStoredResources(t.runtime.records, policy);
    const rows = await loadRows(t);
    const byName = new Map(
      credentials.patients.map((p) => [p.name.split(' ')[0]!.toLowerCase() as DemoPatientName, p.id]),
    );
    const users = new Map(credentials.users.map((u) => [u.username, u]));
    const fixture: AuthzFixture = {
      t,
      policy,
      credentials,
      rows,
      patientId: (name) => byName.get(name)!,
      ctxFor(username, purpose, extra = {}) {
        if (username === 'anonymous') return anonymousContext('req-anon');
        if (username === 'system') return systemContext('authz test');
        const user = users.get(username);
        if (!user) throw new Error(`no demo user ${username}`);
        const delegate = user.roles.includes('delegate');
        const chosen = purpose === null ? undefined : (purpose ?? defaultPurpose[user.roles[0]!]);
        return userContext({
          requestId: `req-${username}`,
          subject: `user-${username}`,
          roles: user.roles,
          institution: user.institution,
          practitionerId: user.practitionerId,
          patientId: delegate ? undefined : user.patientId,
          delegations: delegate && user.patientId ? [user.patientId] : [],
          purpose: chosen,
          ...extra,
        });
      },
      row(name, selector) {
        const patient = byName.get(name);
        const found = rows.find((r) => r.patientId === patient && matches(r, selector));
        if (found) return found;
        // A patient without a consent yet: the facts of the Consent they are about to create.
        const home = rows.find((r) => r.patientId === patient && r.resourceType === 'Patient');
        if (selector === 'Consent' && home) {
          return {
            ...home,
            resourceType: 'Consent',
            id: `${patient}-new-consent`,
            category: 'administrative',
            security: ['N'],
            body: {},
          };
        }
        throw new Error(`no ${selector} row for ${name}`);
      },
      decide: (ctx, action, facts) => policy.decide(ctx, action, facts),
      close: async () => {
        await policy.close();
        await t.cleanup();
      },
    };
    return fixture;
  } catch (error) {
    await t.cleanup();
    throw error;
  }
}

async function loadRows(t: TestRuntime): Promise<StoredRow[]> {
  return inCallerTransaction(t.runtime.records, systemContext('authz test rows'), async (trx) => {
    const { rows } = await sql<{
      resource_type: string;
      id: string;
      patient_id: string | null;
      institution_id: string;
      category: string;
      security: string[];
      body: unknown;
    }>`select resource_type, id, patient_id, institution_id, category, security, body from resource
       where body is not null order by patient_id nulls first, resource_type, id`.execute(trx);
    return rows.map((r) => ({
      resourceType: r.resource_type,
      id: r.id,
      ...(r.patient_id ? { patientId: r.patient_id } : {}),
      institutionId: r.institution_id,
      category: r.category,
      security: r.security,
      body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as Record<string, unknown>,
    }));
  });
}

/** Facts of a resource (dropping the body) as the records service would pass them. */
export function factsOf(row: StoredRow): ResourceFacts {
  const { body: _body, ...facts } = row;
  return facts;
}
