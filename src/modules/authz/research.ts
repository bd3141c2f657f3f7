import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { systemContext, type RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction, type Database } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AccessPolicy, ResourceFacts } from './access-policy.ts';
import type { AuthzDB } from './db-types.ts';
import { createDeidentifier } from './deidentify.ts';

/** A stored resource with its facts, decrypted: the records service provides the real source. */
export interface StoredResource {
  body: Record<string, unknown>;
  facts: ResourceFacts;
}

/** Reads every current resource of the given patients (system work with an explicit reason). */
export type ResearchSource = (patientIds: readonly string[]) => Promise<StoredResource[]>;

/**
 * A source over plaintext `body` rows (seeded data, pre-encryption rows). Encrypted rows are skipped: the
 * composition root passes the records service's decrypting reader instead when it exists.
 */
export function plaintextSource(database: Database): ResearchSource {
  return async (patientIds) => {
    if (patientIds.length === 0) return [];
    const rows = await inCallerTransaction(
      database,
      systemContext('research export: read opted-in records'),
      (trx) =>
        sql<{
          resource_type: string;
          id: string;
          patient_id: string;
          institution_id: string;
          category: string;
          security: string[];
          body: unknown;
        }>`
        select resource_type, id, patient_id, institution_id, category, security, body from resource
        where patient_id = any (${patientIds as string[]}::text[]) and not deleted and body is not null
        order by patient_id, resource_type, id`.execute(trx),
    );
    return rows.rows.map((r) => ({
      body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as Record<string, unknown>,
      facts: {
        resourceType: r.resource_type,
        id: r.id,
        patientId: r.patient_id,
        institutionId: r.institution_id,
        category: r.category,
        security: r.security,
      },
    }));
  };
}

async function pseudonymSecret(db: Kysely<AuthzDB>): Promise<Buffer> {
  await sql`insert into authz_research_key (id, secret) values (1, ${randomBytes(32)}) on conflict (id) do nothing`.execute(
    db,
  );
  const { rows } = await sql<{
    secret: Buffer | Uint8Array;
  }>`select secret from authz_research_key where id = 1`.execute(db);
  return Buffer.from(rows[0]!.secret);
}

/**
 * The de-identified research export (SPEC §2–3): researchers with purpose HRESCH, opted-in patients only;
 * every resource passes the policy (`export` action: opt-in, restricted data excluded) before it is
 * de-identified. Identified records never leave through this path.
 */
export async function researchExport(
  database: Database,
  policy: AccessPolicy,
  source: ResearchSource,
  ctx: RequestContext,
) {
  if (ctx.kind !== 'user' || !ctx.roles.includes('researcher')) {
    throw new AppError('forbidden', 'Researchers only', { reason: 'role_category' });
  }
  if (ctx.purpose !== 'HRESCH') {
    throw new AppError('forbidden', 'The research export needs purpose of use HRESCH', {
      reason: 'purpose_not_permitted',
    });
  }
  const db = database.db as unknown as Kysely<AuthzDB>;
  const { rows } = await sql<{ patient_id: string }>`
    select distinct patient_id from authz_consent_rule
    where research and effect = 'permit' and status = 'active'
      and (period_start is null or period_start <= now()) and (period_end is null or period_end > now())
    order by patient_id`.execute(db);
  const candidates = rows.map((r) => r.patient_id);
  const stored = await source(candidates);
  const decisions = await policy.decideMany(
    ctx,
    'export',
    stored.map((s) => s.facts),
  );
  const deid = createDeidentifier(await pseudonymSecret(db));
  const entry: { resource: Record<string, unknown> }[] = [];
  const patients = new Set<string>();
  for (const [i, item] of stored.entries()) {
    if (!decisions[i]?.allow) continue;
    const out = deid.resource(item.body, item.facts.patientId!);
    if (!out) continue;
    patients.add(item.facts.patientId!);
    entry.push({ resource: out });
  }
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date().toISOString(),
    meta: {
      tag: [{ system: 'https://carebase.dev/fhir/CodeSystem/export', code: 'deidentified-safe-harbor' }],
    },
    total: entry.length,
    patients: patients.size,
    entry,
  };
}
