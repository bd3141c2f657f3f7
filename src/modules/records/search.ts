import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AccessDecision } from '../authz/access-policy.ts';
import type { AuditEvent } from '../audit/index.ts';
import { decideRows, denyRead, factsOf, notFound, type RecordsDeps } from './access.ts';
import { bundleOf, serializeBundle, StoredJson, subset, type BundleEntry } from './bundle-format.ts';
import { encodeCursor, parseSearch, type SearchQuery } from './search-query.ts';
import { readCurrentRow, selectAsCaller } from './fast-read.ts';
import { candidatesQuery, compartmentScoped, positionOf, type Position } from './search-sql.ts';
import {
  openRow,
  openRowText,
  referencesFrom,
  selectReferenced,
  selectReferencing,
  type StoredRow,
} from './store.ts';
import { assertFhirId, assertSupportedType } from './validation.ts';

const maxIncluded = 500;
type Params = Record<string, string | string[] | undefined>;

/**
 * What authorization said about a search beyond the visible rows: the break-glass grant a row was shown
 * under (so its audit entry is flagged) and the reasons for rows withheld from a caller who may know they
 * exist (reported as an OperationOutcome entry, so a chart can tell "none" from "restricted").
 */
interface SearchTally {
  grants: WeakMap<StoredRow, NonNullable<AccessDecision['breakGlass']>>;
  withheld: Set<string>;
}

function newTally(): SearchTally {
  return { grants: new WeakMap(), withheld: new Set() };
}

function tallyDecision(tally: SearchTally, row: StoredRow, decision: AccessDecision): boolean {
  if (decision.allow && decision.breakGlass) tally.grants.set(row, decision.breakGlass);
  if (!decision.allow && decision.disclose) tally.withheld.add(decision.reason);
  return decision.allow;
}

function inTrx<T>(deps: RecordsDeps, ctx: RequestContext, fn: (trx: Kysely<unknown>) => Promise<T>) {
  return inCallerTransaction(deps.database, ctx, (trx) => fn(trx as unknown as Kysely<unknown>));
}

/**
 * Scans candidates in sort order and keeps only rows the policy permits, until `want` visible rows are
 * found or the candidates run out. Authorization runs outside the database statement (the policy may
 * query the database itself); each chunk is one statement (one round trip on PostgreSQL).
 */
async function visibleRows(
  deps: RecordsDeps,
  ctx: RequestContext,
  query: SearchQuery,
  want: number,
  extra: RawBuilder<unknown>[],
  tally: SearchTally = newTally(),
): Promise<StoredRow[]> {
  const visible: StoredRow[] = [];
  let after: Position | undefined = query.cursor?.after;
  // A little over what is wanted: most rows are usually visible (every row fetched is transferred and
  // parsed, body included), and each further chunk costs one statement and one decideMany.
  const chunk = Math.min(500, want + Math.ceil(want / 10));
  // Confined to a compartment, the plan is the patient index whatever the values: prepare it once.
  const scoped = compartmentScoped(query, extra);
  for (;;) {
    const statement = await candidatesQuery(query, (v) => deps.keys.blindIndex(v), after, chunk, extra);
    const rows = await selectAsCaller(deps.database, ctx, statement, scoped);
    const decisions = await decideRows(deps, ctx, 'search', rows);
    for (let i = 0; i < rows.length && visible.length < want; i++)
      if (tallyDecision(tally, rows[i]!, decisions[i]!)) visible.push(rows[i]!);
    if (visible.length >= want || rows.length < chunk) return visible;
    after = positionOf(query, rows.at(-1)!);
  }
}

async function permitted(
  deps: RecordsDeps,
  ctx: RequestContext,
  rows: StoredRow[],
  tally: SearchTally = newTally(),
): Promise<StoredRow[]> {
  const decisions = await decideRows(deps, ctx, 'search', rows);
  return rows.filter((row, i) => tallyDecision(tally, row, decisions[i]!) && !(row.body_enc && !row.wrapped));
}

/**
 * One audit entry per patient, category and grant among the returned rows, so each patient's access
 * history shows the search and break-glass use is flagged; a search that returned nothing gets one entry.
 */
function searchAuditEvents(
  rows: readonly StoredRow[],
  tally: SearchTally,
  base: Omit<AuditEvent, 'patientId' | 'resourceIds' | 'category' | 'breakGlass'>,
  patientId: string | undefined,
): AuditEvent[] {
  const groups = new Map<string, AuditEvent & { resourceIds: string[] }>();
  for (const row of rows) {
    const grant = tally.grants.get(row);
    const key = `${row.patient_id ?? ''}|${row.category}|${grant?.grantId ?? ''}`;
    let event = groups.get(key);
    if (!event) {
      event = {
        ...base,
        resourceIds: [],
        category: row.category,
        ...(row.patient_id ? { patientId: row.patient_id } : {}),
        ...(grant ? { breakGlass: grant } : {}),
      };
      groups.set(key, event);
    }
    event.resourceIds.push(`${row.resource_type}/${row.id}`);
  }
  if (groups.size === 0) return [{ ...base, resourceIds: [], ...(patientId ? { patientId } : {}) }];
  return [...groups.values()];
}

async function includes(
  deps: RecordsDeps,
  ctx: RequestContext,
  query: SearchQuery,
  page: StoredRow[],
  tally: SearchTally,
) {
  if (page.length === 0 || (query.include.length === 0 && query.revinclude.length === 0)) return [];
  const ids = page.map((r) => r.id);
  const refs = page.map((r) => `${r.resource_type}/${r.id}`);
  const found = await inTrx(deps, ctx, async (trx) => {
    const out: StoredRow[] = [];
    for (const inc of query.include) {
      out.push(
        ...(await selectReferenced(trx, await referencesFrom(trx, query.type, ids, inc.param), maxIncluded)),
      );
    }
    for (const rev of query.revinclude) {
      out.push(...(await selectReferencing(trx, rev.type, rev.param, refs, maxIncluded)));
    }
    return out;
  });
  const seen = new Set(refs);
  const unique = found.filter((r) => {
    const key = `${r.resource_type}/${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return permitted(deps, ctx, unique, tally);
}

/** Tells a caller who may know they exist that some matches were withheld, and why; never which. */
function withheldOutcome(reasons: Set<string>): BundleEntry {
  return {
    resource: {
      resourceType: 'OperationOutcome',
      issue: [...reasons].map((reason) => ({
        severity: 'information',
        code: 'suppressed',
        details: { coding: [{ system: 'https://carebase.dev/fhir/CodeSystem/access-reason', code: reason }] },
        diagnostics: `Some matching resources are withheld (${reason})`,
      })),
    },
    search: { mode: 'outcome' },
  } as BundleEntry;
}

function selfLink(baseUrl: string, path: string, params: Params, cursor?: string): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (k === '_cursor') continue;
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) search.append(k, value);
  }
  if (cursor) search.set('_cursor', cursor);
  const text = search.toString();
  return `${baseUrl}/${path}${text ? `?${text}` : ''}`;
}

/** Runs a search: visible rows only, counted and paged after authorization; audited with the ids returned. */
export async function runSearch(
  deps: RecordsDeps,
  ctx: RequestContext,
  query: SearchQuery,
  params: Params,
  baseUrl: string,
  path: string,
  extra: RawBuilder<unknown>[] = [],
  patientId?: string,
) {
  const tally = newTally();
  const total = query.total
    ? (await visibleRows(deps, ctx, { ...query, cursor: undefined }, Number.MAX_SAFE_INTEGER, extra, tally))
        .length
    : undefined;
  const page = query.summaryCount ? [] : await visibleRows(deps, ctx, query, query.count + 1, extra, tally);
  const more = page.length > query.count;
  if (more) page.length = query.count;
  const included = await includes(deps, ctx, query, page, tally);
  const entries: BundleEntry[] = [];
  const add = async (row: StoredRow, mode: 'match' | 'include') => {
    const elements = mode === 'match' ? query.elements : undefined;
    const resource = elements
      ? subset(await openRow(deps.keys, row), elements)
      : new StoredJson(await openRowText(deps.keys, row));
    entries.push({ fullUrl: `${baseUrl}/${row.resource_type}/${row.id}`, resource, search: { mode } });
  };
  for (const row of page) await add(row, 'match');
  for (const row of included) await add(row, 'include');
  const events = searchAuditEvents(
    [...page, ...included],
    tally,
    {
      action: 'search',
      outcome: 'permit',
      resourceType: query.type === '*' ? 'Patient' : query.type,
      detail: {
        query: `${path}?${query.filters.map((f) => f.param).join('&')}`.slice(0, 200),
        count: page.length + included.length,
      },
    },
    patientId,
  );
  await Promise.all(events.map((event) => deps.audit.append(ctx, event)));
  if (tally.withheld.size > 0) entries.push(withheldOutcome(tally.withheld));
  const link = [{ relation: 'self', url: selfLink(baseUrl, path, params, undefined) }];
  if (more) {
    const cursor = encodeCursor(query.fingerprint, positionOf(query, page.at(-1)!));
    link.push({ relation: 'next', url: selfLink(baseUrl, path, params, cursor) });
  }
  return serializeBundle(bundleOf('searchset', entries, { ...(total !== undefined ? { total } : {}), link }));
}

export function searchResources(
  deps: RecordsDeps,
  ctx: RequestContext,
  type: string,
  params: Params,
  baseUrl: string,
) {
  assertSupportedType(type);
  return runSearch(deps, ctx, parseSearch(type, params), params, baseUrl, type);
}

const everythingTypes = [
  'Patient',
  'Encounter',
  'Observation',
  'DiagnosticReport',
  'ImagingStudy',
  'DocumentReference',
  'Condition',
  'AllergyIntolerance',
  'MedicationRequest',
  'MedicationStatement',
  'CareTeam',
  'Consent',
];

/**
 * `Patient/{id}/$everything`: the patient (decided like a read: hidden → 404) and then every permitted
 * resource of the compartment, paged with the same cursor rules as search.
 */
export async function patientEverything(
  deps: RecordsDeps,
  ctx: RequestContext,
  id: string,
  params: Params,
  baseUrl: string,
) {
  assertFhirId(id);
  const allowed = new Set(['_count', '_cursor', '_elements', '_total']);
  for (const key of Object.keys(params)) {
    if (!allowed.has(key))
      throw new AppError('invalid_request', `Unsupported $everything parameter ${key.slice(0, 64)}`);
  }
  const row = await readCurrentRow(deps.database, ctx, 'Patient', id);
  if (!row || row.deleted) throw notFound('Patient', id);
  const [decision] = await decideRows(deps, ctx, 'read', [row]);
  if (!decision!.allow) return denyRead(deps, ctx, 'export', factsOf(row), decision!);
  const query = parseSearch('Patient', { ...params, _sort: '_id' });
  const compartment = sql`r.patient_id = ${id} and r.resource_type = any(${everythingTypes}::text[])`;
  // The type condition from parseSearch is replaced: $everything spans every compartment type.
  const spanning = { ...query, type: '*' };
  return runSearch(deps, ctx, spanning, params, baseUrl, `Patient/${id}/$everything`, [compartment], id);
}
