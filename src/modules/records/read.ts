import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { auditEvent, decideRows, denyRead, factsOf, notFound, type RecordsDeps } from './access.ts';
import { bundleOf, fullUrl } from './bundle-format.ts';
import { readCurrentRow } from './fast-read.ts';
import { openRow, selectHistory, selectVersion, type StoredRow } from './store.ts';
import { assertFhirId, assertSupportedType, type FhirResource } from './validation.ts';

const maxHistory = 100;

function query<T>(deps: RecordsDeps, ctx: RequestContext, fn: (trx: Kysely<unknown>) => Promise<T>) {
  return inCallerTransaction(deps.database, ctx, (trx) => fn(trx as unknown as Kysely<unknown>));
}

/** Decrypts a permitted row; a shredded key is audited and answered 410. */
async function openAudited(deps: RecordsDeps, ctx: RequestContext, action: 'read' | 'vread', row: StoredRow) {
  try {
    return await openRow(deps.keys, row);
  } catch (error) {
    if (error instanceof AppError && error.code === 'gone') {
      await deps.audit.append(ctx, {
        ...auditEvent(action, factsOf(row), undefined, 'error'),
        reason: 'crypto_shredded',
      });
    }
    throw error;
  }
}

export async function readResource(deps: RecordsDeps, ctx: RequestContext, type: string, id: string) {
  assertSupportedType(type);
  assertFhirId(id);
  const row = await readCurrentRow(deps.database, ctx, type, id);
  return openDecidedRow(deps, ctx, 'read', type, id, row && !row.deleted ? row : undefined);
}

export async function vreadResource(
  deps: RecordsDeps,
  ctx: RequestContext,
  type: string,
  id: string,
  versionText: string,
) {
  assertSupportedType(type);
  assertFhirId(id);
  const version = Number(versionText);
  if (!/^[1-9]\d{0,8}$/.test(versionText))
    throw new AppError('invalid_request', 'The version id must be a positive integer');
  const row = await query(deps, ctx, (trx) => selectVersion(trx, type, id, version));
  return openDecidedRow(deps, ctx, 'vread', type, id, row);
}

/** One stored row to the caller: audited as missing, denied, or permitted and decrypted. */
async function openDecidedRow(
  deps: RecordsDeps,
  ctx: RequestContext,
  action: 'read' | 'vread',
  type: string,
  id: string,
  row: Parameters<typeof factsOf>[0] | undefined,
) {
  if (!row) {
    await deps.audit.append(ctx, {
      action,
      outcome: 'error',
      resourceType: type,
      resourceIds: [id],
      reason: 'not_found',
    });
    throw notFound(type, id);
  }
  const [decision] = await decideRows(deps, ctx, 'read', [row]);
  if (!decision!.allow) return denyRead(deps, ctx, action, factsOf(row), decision!);
  const resource = await openAudited(deps, ctx, action, row);
  await deps.audit.append(ctx, auditEvent(action, factsOf(row), decision, 'permit'));
  return resource;
}

/** Versions newest first; each version is decided on its own facts (a relabelled version may be hidden). */
export async function historyOf(
  deps: RecordsDeps,
  ctx: RequestContext,
  type: string,
  id: string,
  baseUrl: string,
) {
  assertSupportedType(type);
  assertFhirId(id);
  const rows = await query(deps, ctx, (trx) => selectHistory(trx, type, id, maxHistory));
  const decisions = await decideRows(deps, ctx, 'history', rows);
  const visible = rows.filter((_, i) => decisions[i]!.allow);
  if (visible.length === 0) {
    const firstDenied = rows.findIndex((_, i) => !decisions[i]!.allow);
    if (firstDenied >= 0)
      return denyRead(deps, ctx, 'history', factsOf(rows[firstDenied]!), decisions[firstDenied]!);
    await deps.audit.append(ctx, {
      action: 'history',
      outcome: 'error',
      resourceType: type,
      resourceIds: [id],
      reason: 'not_found',
    });
    throw notFound(type, id);
  }
  const entries: { resource: FhirResource; row: StoredRow }[] = [];
  for (const row of visible) {
    try {
      entries.push({ resource: await openRow(deps.keys, row), row });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'gone')) throw error;
    }
  }
  const head = visible[0]!;
  await deps.audit.append(ctx, {
    ...auditEvent('history', factsOf(head), decisions[rows.indexOf(head)], 'permit'),
    detail: { versions: entries.map((e) => e.row.version_id).join(',') },
  });
  return bundleOf(
    'history',
    entries.map(({ resource, row }) => ({
      fullUrl: fullUrl(baseUrl, resource),
      resource,
      request: { method: row.version_id === 1 ? 'POST' : 'PUT', url: `${type}/${id}` },
      response: { status: row.version_id === 1 ? '201' : '200', etag: `W/"${row.version_id}"` },
    })),
  );
}
