import { randomUUID } from 'node:crypto';
import type { FhirResource } from './validation.ts';

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
  search?: { mode: 'match' | 'include' | 'outcome' };
  request?: { method: string; url: string };
  response?: { status: string; etag?: string; location?: string; lastModified?: string; outcome?: unknown };
}

export function fullUrl(baseUrl: string, resource: FhirResource): string {
  return `${baseUrl}/${resource.resourceType}/${resource.id}`;
}

export function bundleOf(
  type: 'searchset' | 'history' | 'transaction-response' | 'batch-response',
  entry: BundleEntry[],
  extra: { total?: number; link?: { relation: string; url: string }[] } = {},
) {
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type,
    ...(extra.total !== undefined ? { total: extra.total } : {}),
    ...(extra.link ? { link: extra.link } : {}),
    entry,
  };
}

/** `_elements`: keeps the named top-level elements plus the mandatory ones, and marks the result SUBSETTED. */
export function subset(resource: FhirResource, elements: readonly string[] | undefined): FhirResource {
  if (!elements) return resource;
  const keep = new Set(['resourceType', 'id', 'meta', ...elements]);
  const out = Object.fromEntries(Object.entries(resource).filter(([k]) => keep.has(k))) as FhirResource;
  const meta = (resource.meta ?? {}) as { tag?: unknown[] };
  out.meta = {
    ...meta,
    tag: [
      ...(meta.tag ?? []),
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' },
    ],
  };
  return out;
}
