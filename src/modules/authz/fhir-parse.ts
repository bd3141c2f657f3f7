/**
 * Narrow readers for the FHIR elements the projections use. Resources arrive as loose JSON (validated by
 * the records service); anything unexpected reads as absent, which only ever narrows access.
 */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `{ reference: "Practitioner/x" }` → `Practitioner/x` (absolute URLs and `_history` suffixes trimmed). */
export function referenceOf(value: unknown): string | undefined {
  const ref = str(obj(value)?.reference);
  if (!ref) return undefined;
  const match = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(ref);
  return match?.[1];
}

export function codesOf(concept: unknown): { system: string | undefined; code: string }[] {
  const c = obj(concept);
  if (!c) return [];
  const codings = c.coding !== undefined ? arr(c.coding) : [c];
  return codings.flatMap((coding) => {
    const code = str(obj(coding)?.code);
    return code ? [{ system: str(obj(coding)?.system), code }] : [];
  });
}

export function dateOf(value: unknown): Date | undefined {
  const text = str(value);
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface Period {
  start: Date | undefined;
  end: Date | undefined;
}

export function periodOf(value: unknown): Period {
  const p = obj(value);
  return { start: dateOf(p?.start), end: dateOf(p?.end) };
}

/** The later of two starts and the earlier of two ends: a participant's period inside its team's. */
export function intersect(a: Period, b: Period): Period {
  const later = (x?: Date, y?: Date) => (!x ? y : !y ? x : x > y ? x : y);
  const earlier = (x?: Date, y?: Date) => (!x ? y : !y ? x : x < y ? x : y);
  return { start: later(a.start, b.start), end: earlier(a.end, b.end) };
}
