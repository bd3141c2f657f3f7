import { AppError } from '../../../platform/errors/index.ts';

export type QueryString = Record<string, string | string[] | undefined>;

const invalid = (name: string, why: string) =>
  new AppError('invalid_request', `Query parameter "${name}" ${why}`, { reason: 'invalid_query' });

/** The single value of a parameter; repeating one that takes a single value is an error. */
export function single(query: QueryString, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalid(name, 'may appear only once');
  return value === '' ? undefined : value;
}

export function all(query: QueryString, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
}

export function dateParam(query: QueryString, name: string): Date | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw invalid(name, 'must be an ISO 8601 date or date-time');
  }
  return date;
}

export function booleanParam(query: QueryString, name: string): boolean | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalid(name, 'must be true or false');
  return value === 'true';
}

export function intParam(query: QueryString, name: string, fallback: number, max: number): number {
  const value = single(query, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw invalid(name, 'must be a positive integer');
  return Math.min(Number(value), max);
}

/** Opaque to clients: the index of the last entry returned. */
export function cursorParam(query: QueryString, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw invalid(name, 'is not a cursor from a previous page');
  return Number(value);
}

/** FHIR date search: `ge2026-01-01`, `lt2026-02-01`, or a bare date (that whole day). Repeatable. */
export function fhirDateRange(values: readonly string[]): { from?: Date; to?: Date } {
  const range: { from?: Date; to?: Date } = {};
  for (const raw of values) {
    const match = /^(eq|ge|gt|le|lt)?(\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)$/.exec(raw);
    const date = match ? new Date(match[2] as string) : undefined;
    if (!match || !date || Number.isNaN(date.getTime()))
      throw invalid('date', 'must be a FHIR date with an optional ge/gt/le/lt prefix');
    const prefix = match[1] ?? 'eq';
    const dayOnly = (match[2] as string).length === 10;
    const end = dayOnly ? new Date(date.getTime() + 86_400_000 - 1) : date;
    if (prefix === 'ge' || prefix === 'gt' || prefix === 'eq')
      range.from = prefix === 'gt' ? new Date(end.getTime() + 1) : date;
    if (prefix === 'le' || prefix === 'lt' || prefix === 'eq')
      range.to = prefix === 'lt' ? new Date(date.getTime() - 1) : end;
  }
  return range;
}
