import { sql, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/platform/db/index.ts';
import { userContext, type RequestContext } from '../../src/platform/context/index.ts';
import type { AuditEvent } from '../../src/modules/audit/index.ts';
import type { TestRuntime } from '../support/runtime.ts';

/** Checkpoints only when a test asks, so every assertion sees a known set of them. */
export const manualCheckpoints = { AUDIT_CHECKPOINT_INTERVAL_MS: '0', AUDIT_CHECKPOINT_EVERY: '10000000' };

/** A connection that owns the ledger (PGlite's superuser; the PostgreSQL owner): what an intruder would use. */
export async function ledgerOwner(t: TestRuntime): Promise<{ db: Kysely<unknown>; close(): Promise<void> }> {
  if (!t.audit) return { db: t.runtime.audit.db as Kysely<unknown>, close: async () => {} };
  const owner: Database = await openDatabase({
    kind: 'postgres',
    url: t.audit.ownerUrl,
    ownerUrl: undefined,
    poolSize: 2,
  });
  return { db: owner.db as Kysely<unknown>, close: () => owner.close() };
}

/** Runs `fn` with the append-only triggers off, as someone with DDL rights on the ledger could. */
export async function tamper(
  db: Kysely<unknown>,
  fn: (db: Kysely<unknown>) => Promise<unknown>,
): Promise<void> {
  await sql`alter table audit_entry disable trigger user`.execute(db);
  await sql`alter table audit_node disable trigger user`.execute(db);
  try {
    await fn(db);
  } finally {
    await sql`alter table audit_entry enable trigger user`.execute(db);
    await sql`alter table audit_node enable trigger user`.execute(db);
  }
}

export function clinician(overrides: Partial<RequestContext> = {}): RequestContext {
  return userContext({
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    subject: 'user-dr-house',
    roles: ['physician'],
    institution: 'inst-a',
    practitionerId: 'prac-1',
    purpose: 'TREAT',
    clientId: 'carebase-web',
    ip: '127.0.0.1',
    userAgent: 'vitest',
    ...overrides,
  });
}

export function readEvent(patientId: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    action: 'read',
    outcome: 'permit',
    patientId,
    resourceType: 'Observation',
    resourceIds: [`obs-${patientId}-1`],
    category: 'labs',
    policyIds: ['care-team-read'],
    ...overrides,
  };
}
