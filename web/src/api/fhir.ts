import type { ApiClient } from './api-client.ts';
import { ApiError, isRecord } from './request-json.ts';

export const fhirBase = '/fhir/R4';
const fhirJson = 'application/fhir+json';

/** HL7 v3 ActReason purposes of use (SPEC §2) with plain-language labels. */
export const purposesOfUse = {
  TREAT: 'Treatment',
  ETREAT: 'Emergency treatment',
  HPAYMT: 'Payment',
  HOPERAT: 'Operations',
  HRESCH: 'Research',
  PUBHLTH: 'Public health',
  BTG: 'Break the glass',
} as const;
export type PurposeOfUse = keyof typeof purposesOfUse;

export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: { versionId?: string; lastUpdated?: string; security?: Coding[] };
  [field: string]: unknown;
}

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

/** A search answer: what may be shown, and whether the server said some of it is restricted. */
export interface SearchResult<T extends FhirResource = FhirResource> {
  resources: T[];
  restriction?: Restriction;
}

/** The server refused (403) and told why: the clinician may know the data exists. */
export interface Restriction {
  reason: string;
  message: string;
}

function fhirOptions(purpose?: PurposeOfUse) {
  return {
    headers: { accept: fhirJson, ...(purpose ? { 'x-purpose-of-use': purpose } : {}) },
    jsonContentType: fhirJson,
  };
}

export async function fhirSearch<T extends FhirResource = FhirResource>(
  api: ApiClient,
  type: string,
  params: Record<string, string | string[] | undefined>,
  purpose?: PurposeOfUse,
): Promise<SearchResult<T>> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item) search.append(name, item);
  }
  try {
    const bundle = await api.get(`${fhirBase}/${type}?${search}`, fhirOptions(purpose));
    return { resources: bundleResources<T>(bundle), restriction: outcomeIn(bundle) };
  } catch (error) {
    const restriction = restrictionOf(error);
    if (restriction) return { resources: [], restriction };
    throw error;
  }
}

export async function fhirRead<T extends FhirResource = FhirResource>(
  api: ApiClient,
  path: string,
  purpose?: PurposeOfUse,
): Promise<T> {
  return (await api.get(`${fhirBase}/${path}`, fhirOptions(purpose))) as T;
}

export async function fhirWrite<T extends FhirResource>(
  api: ApiClient,
  resource: T,
  purpose?: PurposeOfUse,
): Promise<T> {
  const path = resource.id ? `${resource.resourceType}/${resource.id}` : resource.resourceType;
  return (await api.send(
    resource.id ? 'PUT' : 'POST',
    `${fhirBase}/${path}`,
    resource,
    fhirOptions(purpose),
  )) as T;
}

export function bundleResources<T extends FhirResource>(bundle: unknown): T[] {
  if (!isRecord(bundle) || !Array.isArray(bundle.entry)) return [];
  return bundle.entry
    .filter((entry): entry is { resource: T; search?: { mode?: string } } => isRecord(entry?.resource))
    .filter((entry) => entry.resource.resourceType !== 'OperationOutcome')
    .map((entry) => entry.resource);
}

/** A search Bundle may carry an OperationOutcome saying part of the answer is withheld. */
function outcomeIn(bundle: unknown): Restriction | undefined {
  if (!isRecord(bundle) || !Array.isArray(bundle.entry)) return undefined;
  for (const entry of bundle.entry) {
    if (isRecord(entry) && isRecord(entry.resource) && entry.resource.resourceType === 'OperationOutcome') {
      const restriction = restrictionFromOutcome(entry.resource);
      if (restriction) return restriction;
    }
  }
  return undefined;
}

/** A 403 answer with an OperationOutcome is a restriction the UI explains; other errors stay errors. */
export function restrictionOf(error: unknown): Restriction | undefined {
  if (!(error instanceof ApiError) || error.status !== 403) return undefined;
  return restrictionFromOutcome(error.body) ?? { reason: error.code, message: error.message };
}

function restrictionFromOutcome(outcome: unknown): Restriction | undefined {
  if (!isRecord(outcome) || !Array.isArray(outcome.issue)) return undefined;
  const issue = outcome.issue.find(
    (item) => isRecord(item) && (item.severity === 'error' || item.severity === 'fatal'),
  ) as Record<string, unknown> | undefined;
  if (!issue) return undefined;
  const details = isRecord(issue.details) ? issue.details : {};
  const coding = Array.isArray(details.coding) && isRecord(details.coding[0]) ? details.coding[0] : {};
  const diagnostics = typeof issue.diagnostics === 'string' ? issue.diagnostics : '';
  // The reason code may come as a coding, or only inside the diagnostics text (e.g. "… (consent_denied)").
  const named = /\b([a-z]+(?:_[a-z]+)+)\b/.exec(diagnostics)?.[1];
  const reason = typeof coding.code === 'string' ? coding.code : (named ?? String(issue.code ?? 'forbidden'));
  const message =
    typeof details.text === 'string'
      ? details.text
      : typeof issue.diagnostics === 'string'
        ? issue.diagnostics
        : 'Access is restricted';
  return { reason, message };
}
