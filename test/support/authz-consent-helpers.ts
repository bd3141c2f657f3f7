import { systemContext, type RequestContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction, type Database } from '../../src/platform/db/index.ts';
import type { AccessPolicy } from '../../src/modules/authz/index.ts';
import { factsOf, type StoredRow } from './authz-fixture.ts';

/** A Consent body with a new status (and version), as a revocation through the records API would write it. */
export function withStatus(row: StoredRow, status: 'active' | 'inactive', version: number): StoredRow {
  const meta = { ...(row.body.meta as object), versionId: String(version) };
  return { ...row, body: { ...row.body, status, meta } };
}

/** What the records store does inside its write transaction for a Consent: project it (and commit). */
export async function writeConsent(
  database: Database,
  policy: AccessPolicy,
  row: StoredRow,
  ctx: RequestContext = systemContext('consent change in test'),
): Promise<void> {
  await inCallerTransaction(database, ctx, (trx) =>
    policy.projectWrite(trx, ctx, row.body as { resourceType: string; id: string }, factsOf(row)),
  );
}
