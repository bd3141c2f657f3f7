import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../../platform/cache/index.ts';
import type { CareRelationship } from './care-relationships.ts';
import type { ConsentRule } from './consent-rules.ts';
import type { AuthzDB } from './db-types.ts';

/** What the policy knows about one patient, as of one consent epoch. */
export interface PatientState {
  patientId: string;
  epoch: number;
  institution: string | undefined;
  rules: ConsentRule[];
  relationships: CareRelationship[];
}

export const epochKey = (patientId: string) => `authz:epoch:${patientId}`;
export const epochChannel = 'authz:epoch';

const date = (value: string | null | undefined) => (value ? new Date(value) : undefined);

/**
 * Loads a patient's projections in one statement (one snapshot), epoch included: the state is never
 * newer or older than the epoch it is cached under.
 */
export async function loadPatientState(db: Kysely<AuthzDB>, patientId: string): Promise<PatientState> {
  const { rows } = await sql<{
    epoch: string | null;
    institution: string | null;
    rules: unknown;
    rels: unknown;
  }>`
    select
      (select epoch from authz_patient where patient_id = ${patientId}) as epoch,
      (select institution_id from authz_patient where patient_id = ${patientId}) as institution,
      (select coalesce(json_agg(r), '[]') from authz_consent_rule r where r.patient_id = ${patientId}) as rules,
      (select coalesce(json_agg(c), '[]') from authz_care_relationship c where c.patient_id = ${patientId}) as rels`.execute(
    db,
  );
  const row = rows[0];
  const parse = <T>(value: unknown): T[] =>
    (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as T[];
  return {
    patientId,
    epoch: Number(row?.epoch ?? 0),
    institution: row?.institution ?? undefined,
    rules: parse<Record<string, never>>(row?.rules).map((r: Record<string, unknown>) => ({
      consentId: r.consent_id as string,
      seq: r.seq as number,
      patientId: r.patient_id as string,
      status: r.status as string,
      effect: r.effect as 'permit' | 'deny',
      actors: r.actors as string[],
      purposes: r.purposes as string[],
      categories: r.categories as string[],
      labels: r.labels as string[],
      research: r.research as boolean,
      periodStart: date(r.period_start as string | null),
      periodEnd: date(r.period_end as string | null),
    })),
    relationships: parse<Record<string, never>>(row?.rels).map((r: Record<string, unknown>) => ({
      sourceType: r.source_type as string,
      sourceId: r.source_id as string,
      seq: r.seq as number,
      patientId: r.patient_id as string,
      kind: r.kind as CareRelationship['kind'],
      member: r.member as string,
      category: (r.category as string | null) ?? undefined,
      careTeamId: (r.care_team_id as string | null) ?? undefined,
      active: r.active as boolean,
      periodStart: date(r.period_start as string | null),
      periodEnd: date(r.period_end as string | null),
    })),
  };
}

/**
 * Per-patient state cached in process, valid only while its epoch equals the shared epoch (Redis in
 * production, so every process sees a revocation on its very next request). The revoking transaction
 * bumps the database epoch and publishes the new value before it commits; a load that still sees the
 * older epoch is used for that request only and never cached, so nothing stale outlives the commit.
 */
export class PatientStateCache {
  private readonly local = new LRUCache<string, PatientState>({ max: 20_000 });
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Kysely<AuthzDB>,
    private readonly shared: Cache,
  ) {}

  async start(): Promise<void> {
    // Hygiene only (correctness comes from the epoch check): drop entries as soon as any process bumps.
    this.unsubscribe = await this.shared.subscribe(epochChannel, (patientId) => this.local.delete(patientId));
  }

  async sharedEpoch(patientId: string): Promise<number> {
    return Number((await this.shared.get(epochKey(patientId))) ?? 0);
  }

  /** `known`: the database epoch read with the caller's rows (see `AccessPolicy.decideMany`). */
  async get(patientId: string, known?: number): Promise<PatientState> {
    const epoch = known ?? (await this.sharedEpoch(patientId));
    const cached = this.local.get(patientId);
    if (cached && cached.epoch === epoch) return cached;
    const loaded = await loadPatientState(this.db, patientId);
    if (loaded.epoch === epoch) this.local.set(patientId, loaded);
    return loaded;
  }

  /** Called inside the writing transaction right after the database epoch was bumped. */
  async announce(patientId: string, epoch: number): Promise<void> {
    this.local.delete(patientId);
    await this.shared.set(epochKey(patientId), String(epoch));
    await this.shared.publish(epochChannel, patientId);
  }

  get size(): number {
    return this.local.size;
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }
}
