import { randomUUID } from 'node:crypto';
import type { FhirResource } from './validation.ts';

/** A resource's JSON text as decrypted, spliced into a response by `serializeBundle` without re-parsing. */
export class StoredJson {
  constructor(readonly text: string) {}
}

/**
 * A response body serialized once. Search pages are mostly decrypted resources: splicing their stored
 * text in, rather than parsing it and serializing it again, saves a large share of a search's CPU.
 */
export class FhirJson {
  constructor(readonly text: string) {}
  /** The object, for callers in-process (the HTTP routes send `text` as is). */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource | StoredJson;
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

/**
 * Serializes a bundle whose entries may hold `StoredJson`: each is written as a placeholder carrying a
 * fresh random nonce (no request text can forge one) and then replaced by its stored text.
 */
export function serializeBundle(bundle: object): FhirJson {
  const nonce = randomUUID();
  const stored: string[] = [];
  const text = JSON.stringify(bundle, (_key, value: unknown) =>
    value instanceof StoredJson ? `${nonce}:${stored.push(value.text) - 1}` : value,
  );
  if (stored.length === 0) return new FhirJson(text);
  return new FhirJson(
    text.replace(new RegExp(`"${nonce}:(\\d+)"`, 'g'), (_match, i: string) => stored[Number(i)]!),
  );
}
