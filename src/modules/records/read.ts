import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { auditEvent, decideRows, denyRead, factsOf, notFound, type RecordsDeps } from './access.ts';
import { bundleOf, fullUrl } from './bundle-format.ts';
import { readCurrentRow } from './fast-read.ts';
import { openRow, openRowText, selectHistory, selectVersion, type StoredRow } from './store.ts';
import { assertFhirId, assertSupportedType, type FhirResource } from './validation.ts';

const maxHistory = 100;

function query<T>(deps: RecordsDeps, ctx: RequestContext, fn: (trx: Kysely<unknown>) => Promise<T>) {
  return inCallerTransaction(deps.database, ctx, (trx) => fn(trx as unknown as Kysely<unknown>));
}

/** A resource as stored, for the HTTP API: its JSON text is sent without being parsed and re-serialized. */
export interface StoredResource {
  json: string;
  versionId: number;
  lastUpdated: Date;
}

type Opener<T> = (ring: RecordsDeps['keys'], row: StoredRow) => Promise<T>;

const openStored: Opener<StoredResource> = async (ring, row) => ({
  json: await openRowText(ring, row),
  versionId: row.version_id,
  // `lu` is PostgreSQL's text form (`2026-07-26 16:35:00.123456+00`); made ISO for Date.
  lastUpdated: new Date(row.lu.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')),
});

/** Decrypts a permitted row; a shredded key is audited and answered 410. */
async function openAudited<T>(
  deps: RecordsDeps,
  ctx: RequestContext,
  action: 'read' | 'vread',
  row: StoredRow,
  open: Opener<T>,
): Promise<T> {
  try {
    return await open(deps.keys, row);
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

async function readCurrent<T>(
  deps: RecordsDeps,
  ctx: RequestContext,
  type: string,
  id: string,
  open: Opener<T>,
) {
  assertSupportedType(type);
  assertFhirId(id);
  const row = await readCurrentRow(deps.database, ctx, type, id);
  return openDecidedRow(deps, ctx, 'read', type, id, row && !row.deleted ? row : undefined, open);
}

async function readVersion<T>(
  deps: RecordsDeps,
  ctx: RequestContext,
  type: string,
  id: string,
  versionText: string,
  open: Opener<T>,
) {
  assertSupportedType(type);
  assertFhirId(id);
  const version = Number(versionText);
  if (!/^[1-9]\d{0,8}$/.test(versionText))
    throw new AppError('invalid_request', 'The version id must be a positive integer');
  const row = await query(deps, ctx, (trx) => selectVersion(trx, type, id, version));
  return openDecidedRow(deps, ctx, 'vread', type, id, row, open);
}

export const readResource = (deps: RecordsDeps, ctx: RequestContext, type: string, id: string) =>
  readCurrent(deps, ctx, type, id, openRow);
export const readStoredResource = (deps: RecordsDeps, ctx: RequestContext, type: string, id: string) =>
  readCurrent(deps, ctx, type, id, openStored);
export const vreadStoredResource = (
  deps: RecordsDeps,
  ctx: RequestContext,
  type: string,
  id: string,
  version: string,
) => readVersion(deps, ctx, type, id, version, openStored);

/** One stored row to the caller: audited as missing, denied, or permitted and decrypted. */
async function openDecidedRow<T>(
  deps: RecordsDeps,
  ctx: RequestContext,
  action: 'read' | 'vread',
  type: string,
  id: string,
  row: Parameters<typeof factsOf>[0] | undefined,
  open: Opener<T>,
): Promise<T> {
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
  const resource = await openAudited(deps, ctx, action, row, open);
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
