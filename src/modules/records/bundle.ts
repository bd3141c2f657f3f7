import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../platform/context/index.ts';
import { AppError, isAppError } from '../../platform/errors/index.ts';
import { scopesSatisfyAny } from '../identity/index.ts';
import { operationOutcome, toAppError } from '../../platform/http/error-response.ts';
import type { RecordsDeps } from './access.ts';
import { bundleOf, type BundleEntry } from './bundle-format.ts';
import { readResource } from './read.ts';
import { assertFhirId, assertSupportedType, validateIncoming, type FhirResource } from './validation.ts';
import {
  authorizeWrite,
  commitWrite,
  inWriteTransaction,
  planWrite,
  writeOne,
  type PlannedWrite,
} from './write.ts';

const maxEntries = 1000;

/**
 * The Bundle route requires create/update scopes at the edge; a batch GET entry additionally needs a read
 * scope for its type (the edge cannot see inside the Bundle). System contexts carry no token scopes.
 */
function assertReadScope(ctx: RequestContext, type: string): void {
  if (ctx.kind === 'system') return;
  if (
    !scopesSatisfyAny(
      ctx.scopes,
      ['user', 'patient', 'system'].map((c) => `${c}/${type}.r`),
    )
  ) {
    throw new AppError('forbidden', `The token has no read scope for ${type}`, {
      reason: 'scope_insufficient',
    });
  }
}

interface ParsedEntry {
  index: number;
  method: 'POST' | 'PUT' | 'GET';
  type: string;
  id: string | undefined;
  ifMatch: number | undefined;
  fullUrl: string | undefined;
  resource: unknown;
}

function parseEntries(body: unknown): { type: 'transaction' | 'batch'; entries: ParsedEntry[] } {
  const bundle = body as { resourceType?: unknown; type?: unknown; entry?: unknown };
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    throw new AppError('invalid_request', 'POST to the base URL takes a transaction or batch Bundle');
  }
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    throw new AppError('invalid_request', 'Bundle.type must be transaction or batch');
  }
  const raw = bundle.entry ?? [];
  if (!Array.isArray(raw) || raw.length > maxEntries) {
    throw new AppError('invalid_request', `Bundle.entry must be an array of at most ${maxEntries} entries`);
  }
  const entries = raw.map((e: unknown, index): ParsedEntry => {
    const entry = (e ?? {}) as {
      request?: { method?: unknown; url?: unknown; ifMatch?: unknown };
      resource?: unknown;
      fullUrl?: unknown;
    };
    const where = `Bundle.entry[${index}]`;
    const method = entry.request?.method;
    const url = entry.request?.url;
    if ((method !== 'POST' && method !== 'PUT' && method !== 'GET') || typeof url !== 'string') {
      throw new AppError('invalid_request', `${where}: request.method must be POST, PUT or GET with a url`, {
        issues: [{ path: `${where}.request`, message: 'POST, PUT or GET with a url' }],
      });
    }
    const [type = '', id, ...rest] = url.replace(/^\/+/, '').split('?')[0]!.split('/');
    if (
      rest.length > 0 ||
      (method === 'POST' && id !== undefined) ||
      (method !== 'POST' && id === undefined)
    ) {
      throw new AppError('invalid_request', `${where}: unsupported request url`, {
        issues: [{ path: `${where}.request.url`, message: 'Type or Type/id' }],
      });
    }
    assertSupportedType(type);
    if (id !== undefined) assertFhirId(id);
    const ifMatch = typeof entry.request?.ifMatch === 'string' ? parseETag(entry.request.ifMatch) : undefined;
    return {
      index,
      method,
      type,
      id,
      ifMatch,
      fullUrl: typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined,
      resource: entry.resource,
    };
  });
  return { type: bundle.type, entries };
}

export function parseETag(value: string): number {
  const m = /^(?:W\/)?"(\d{1,9})"$/.exec(value.trim());
  if (!m) throw new AppError('invalid_request', 'If-Match must be an ETag like W/"3"');
  return Number(m[1]);
}

/** Replaces every `reference` equal to a Bundle-local fullUrl by the id assigned to that entry. */
function rewriteReferences(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, map));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : rewriteReferences(v, map);
  }
  return out;
}

function withPath(error: unknown, index: number): AppError {
  const e = toAppError(error);
  const prefix = `Bundle.entry[${index}]`;
  return new AppError(e.code, `${prefix}: ${e.message}`, {
    issues:
      e.issues.length > 0
        ? e.issues.map((i) => ({
            path: i.path ? `${prefix}.resource.${i.path}` : prefix,
            message: i.message,
          }))
        : [{ path: prefix, message: e.message }],
    reason: e.reason,
  });
}

function responseEntry(resource: FhirResource, version: number, created: boolean): BundleEntry {
  return {
    resource,
    response: {
      status: created ? '201 Created' : '200 OK',
      location: `${resource.resourceType}/${resource.id}/_history/${version}`,
      etag: `W/"${version}"`,
      lastModified: (resource.meta as { lastUpdated?: string } | undefined)?.lastUpdated,
    },
  };
}

/** All-or-nothing: every entry is validated, planned and decided first, then written in one transaction. */
async function transaction(deps: RecordsDeps, ctx: RequestContext, entries: ParsedEntry[]) {
  if (entries.some((e) => e.method === 'GET'))
    throw new AppError('invalid_request', 'GET entries are supported in batch Bundles only');
  const ids = new Map<string, string>();
  const assigned = entries.map((e) => {
    if (e.method !== 'POST') return e.id!;
    const id = randomUUID();
    if (e.fullUrl) ids.set(e.fullUrl, `${e.type}/${id}`);
    return id;
  });
  const resources = entries.map((e, i) => {
    try {
      const rewritten = rewriteReferences(e.resource, ids) as FhirResource;
      return validateIncoming(rewritten, e.type, e.method === 'PUT' ? e.id : undefined);
    } catch (error) {
      throw withPath(error, i);
    }
  });
  const pending = new Map<string, string>();
  const plans: PlannedWrite[] = await inWriteTransaction(deps, ctx, async (trx) => {
    const out: PlannedWrite[] = [];
    for (const [i, e] of entries.entries()) {
      try {
        const action = e.method === 'POST' ? 'create' : 'update';
        out.push(await planWrite(trx, ctx, resources[i]!, action, e.ifMatch, { pending, id: assigned[i] }));
      } catch (error) {
        throw withPath(error, i);
      }
    }
    return out;
  });
  for (const [i, plan] of plans.entries()) {
    try {
      await authorizeWrite(deps, ctx, plan);
    } catch (error) {
      throw withPath(error, i);
    }
  }
  const written = await inWriteTransaction(deps, ctx, async (trx) => {
    const out: BundleEntry[] = [];
    for (const [i, plan] of plans.entries()) {
      try {
        const { resource, version } = await commitWrite(deps, ctx, trx, plan);
        out.push(responseEntry(resource, version, plan.action === 'create'));
      } catch (error) {
        throw withPath(error, i);
      }
    }
    return out;
  });
  return bundleOf('transaction-response', written);
}

/** Each entry on its own; failures answer in their entry's response. */
async function batch(deps: RecordsDeps, ctx: RequestContext, entries: ParsedEntry[]) {
  const out: BundleEntry[] = [];
  for (const e of entries) {
    try {
      if (e.method === 'GET') {
        assertReadScope(ctx, e.type);
        out.push({ resource: await readResource(deps, ctx, e.type, e.id!), response: { status: '200 OK' } });
        continue;
      }
      const resource = validateIncoming(e.resource, e.type, e.method === 'PUT' ? e.id : undefined);
      const result = await writeOne(
        deps,
        ctx,
        resource,
        e.method === 'POST' ? 'create' : 'update',
        e.ifMatch,
      );
      out.push(responseEntry(result.resource, result.version, e.method === 'POST'));
    } catch (error) {
      const appError = toAppError(error);
      if (!isAppError(error) && appError.status >= 500) throw error;
      out.push({ response: { status: String(appError.status), outcome: operationOutcome(appError) } });
    }
  }
  return bundleOf('batch-response', out);
}

export function processBundle(deps: RecordsDeps, ctx: RequestContext, body: unknown, _baseUrl: string) {
  const { type, entries } = parseEntries(body);
  return type === 'transaction' ? transaction(deps, ctx, entries) : batch(deps, ctx, entries);
}
