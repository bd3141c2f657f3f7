import { createHash } from 'node:crypto';
import { AppError } from '../../platform/errors/index.ts';
import { fhirIdPattern, searchParams, supportedTypes, type SearchParamDef } from './resource-types.ts';

export type DatePrefix = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'sa' | 'eb';

export type FilterValue =
  | { kind: 'token'; system: string | undefined; code: string }
  | { kind: 'string'; text: string }
  | { kind: 'date'; prefix: DatePrefix; value: string }
  | { kind: 'reference'; refs: string[] }
  | { kind: 'quantity'; prefix: DatePrefix; value: number; code: string | undefined };

export interface Filter {
  param: string;
  def: SearchParamDef;
  modifier: 'exact' | 'contains' | undefined;
  /** Alternatives (comma-separated): any matches. */
  values: FilterValue[];
}

export type SortKind = 'id' | 'date' | 'token' | 'quantity';
const isSortKind = (kind: string): kind is SortKind => ['date', 'token', 'quantity'].includes(kind);

export interface SearchQuery {
  type: string;
  filters: Filter[];
  ids: string[] | undefined;
  lastUpdated: { prefix: DatePrefix; value: string }[];
  count: number;
  /**
   * `_id`, `_lastUpdated`, or a date, token or quantity search parameter of the type (sorted by its
   * earliest instant, lowest code, lowest value); `kind` says how its values compare.
   */
  sort: { key: string; desc: boolean; kind: SortKind };
  elements: string[] | undefined;
  summaryCount: boolean;
  total: boolean;
  include: { type: string; param: string }[];
  revinclude: { type: string; param: string }[];
  cursor: { after: [string, string] } | undefined;
  /** Hash of everything but the cursor: a cursor only continues the query it came from. */
  fingerprint: string;
}

export const defaultCount = 20;
export const maxCount = 200;
const maxValueLength = 256;
const datePattern =
  /^(eq|ne|lt|le|gt|ge|sa|eb)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$/;
const numberPattern = /^(eq|ne|lt|le|gt|ge|sa|eb)?(-?\d{1,15}(\.\d{1,10})?)$/;
const control = new Set([
  '_count',
  '_sort',
  '_elements',
  '_summary',
  '_total',
  '_include',
  '_revinclude',
  '_cursor',
  '_format',
]);

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) return true;
  return false;
}

function bad(message: string, param?: string): never {
  throw new AppError('invalid_request', message, { issues: [{ path: param, message }] });
}

/** Splits on commas not escaped with a backslash, unescaping `\,` `\|` `\$` `\\`. */
function splitValues(raw: string): string[] {
  return raw.split(/(?<!\\),/).map((v) => v.replace(/\\([,|$\\])/g, '$1'));
}

function parseValue(
  name: string,
  def: SearchParamDef,
  raw: string,
  modifier: Filter['modifier'],
): FilterValue {
  if (raw.length === 0 || raw.length > maxValueLength)
    bad(`Parameter ${name}: value is empty or too long`, name);
  switch (def.kind) {
    case 'token': {
      const bar = raw.indexOf('|');
      return bar < 0
        ? { kind: 'token', system: undefined, code: raw }
        : { kind: 'token', system: raw.slice(0, bar), code: raw.slice(bar + 1) };
    }
    case 'string':
      if (modifier === 'contains' && [...raw.trim()].length < 3) {
        bad(`Parameter ${name}:contains needs at least 3 characters`, name);
      }
      return { kind: 'string', text: raw };
    case 'date': {
      const m = datePattern.exec(raw);
      if (!m) bad(`Parameter ${name}: not a FHIR date (optionally prefixed eq, lt, ge, …)`, name);
      return { kind: 'date', prefix: (m[1] ?? 'eq') as DatePrefix, value: m[2]! };
    }
    case 'reference': {
      const slash = raw.lastIndexOf('/');
      const id = raw.slice(slash + 1);
      const type = slash < 0 ? undefined : raw.slice(0, slash).replace(/^.*\//, '');
      if (!fhirIdPattern.test(id) || (type !== undefined && !supportedTypes.includes(type))) {
        bad(`Parameter ${name}: not a reference (Type/id or id)`, name);
      }
      const types = type ? [type] : (def.targets ?? supportedTypes);
      return { kind: 'reference', refs: types.map((t) => `${t}/${id}`) };
    }
    case 'quantity': {
      const [num, , code] = raw.split('|');
      const m = numberPattern.exec(num ?? '');
      if (!m) bad(`Parameter ${name}: not a quantity ([prefix]number[|system|code])`, name);
      return {
        kind: 'quantity',
        prefix: (m[1] ?? 'eq') as DatePrefix,
        value: Number(m[2]),
        code: code || undefined,
      };
    }
  }
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function one(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const list = asList(params[name]);
  if (list.length > 1) bad(`Parameter ${name} may appear only once`, name);
  return list[0];
}

function parseInclude(raw: string, name: string, own: string | undefined) {
  const m = /^([A-Z][A-Za-z]{1,63}):([a-z][a-z-]{0,63})$/.exec(raw);
  const type = m?.[1];
  const def = type && Object.hasOwn(searchParams, type) ? searchParams[type]![m[2]!] : undefined;
  if (!m || !def || def.kind !== 'reference' || (own !== undefined && type !== own)) {
    bad(`${name} must name a reference parameter as Type:param`, name);
  }
  return { type: type!, param: m[2]! };
}

export function parseSearch(
  type: string,
  params: Record<string, string | string[] | undefined>,
): SearchQuery {
  const defs = searchParams[type] ?? {};
  const filters: Filter[] = [];
  let ids: string[] | undefined;
  const lastUpdated: SearchQuery['lastUpdated'] = [];
  for (const [key, rawValue] of Object.entries(params)) {
    if (control.has(key)) continue;
    for (const raw of asList(rawValue)) {
      if (typeof raw !== 'string') bad(`Parameter ${key.slice(0, 64)} is malformed`);
      // PostgreSQL text cannot hold NUL, and no FHIR value contains control characters.
      if (hasControlCharacter(raw)) bad(`Parameter ${key.slice(0, 64)} contains control characters`);
      if (key === '_id') {
        ids = splitValues(raw);
        if (ids.some((id) => !fhirIdPattern.test(id))) bad('_id must list FHIR ids', '_id');
        continue;
      }
      if (key === '_lastUpdated') {
        const m = datePattern.exec(raw);
        if (!m) bad('_lastUpdated must be a FHIR date with an optional prefix', '_lastUpdated');
        lastUpdated.push({ prefix: (m[1] ?? 'eq') as DatePrefix, value: m[2]! });
        continue;
      }
      const [name, modifierText, ...rest] = key.split(':');
      const def = name && Object.hasOwn(defs, name) ? defs[name] : undefined;
      if (!def || rest.length > 0)
        bad(`Unknown search parameter for ${type}: ${key.slice(0, 64)}`, key.slice(0, 64));
      let modifier: Filter['modifier'];
      if (modifierText !== undefined) {
        if (def.kind !== 'string' || (modifierText !== 'exact' && modifierText !== 'contains')) {
          bad(`Unsupported modifier :${modifierText.slice(0, 32)} on ${name}`, key.slice(0, 64));
        }
        modifier = modifierText;
      }
      filters.push({
        param: name!,
        def,
        modifier,
        values: splitValues(raw).map((v) => parseValue(name!, def, v, modifier)),
      });
    }
  }

  const countText = one(params, '_count');
  const count = countText === undefined ? defaultCount : Number(countText);
  if (!Number.isInteger(count) || count < 0 || count > maxCount)
    bad(`_count must be an integer 0..${maxCount}`, '_count');
  const sortText = one(params, '_sort') ?? '_id';
  const sortMatch = /^(-?)([A-Za-z_][A-Za-z0-9_-]{0,63})$/.exec(sortText);
  const sortKey = sortMatch?.[2];
  const sortDef = sortKey !== undefined && Object.hasOwn(defs, sortKey) ? defs[sortKey] : undefined;
  // Names and identifiers are stored only as blind indexes, which have no order to sort by.
  const sortKind: SortKind | undefined =
    sortKey === '_id'
      ? 'id'
      : sortKey === '_lastUpdated'
        ? 'date'
        : sortDef && !sortDef.blind && isSortKind(sortDef.kind)
          ? sortDef.kind
          : undefined;
  if (!sortMatch || !sortKind) {
    bad(
      '_sort takes one of _id, _lastUpdated, or a date, token or quantity parameter of the type ' +
        '(prefix - for descending); names and identifiers are stored encrypted and cannot be sorted on',
      '_sort',
    );
  }
  const elementsText = one(params, '_elements');
  const elements = elementsText?.split(',').map((e) => e.trim());
  if (elements?.some((e) => !/^[a-z][A-Za-z0-9]{0,63}$/.test(e)))
    bad('_elements must list element names', '_elements');
  const summary = one(params, '_summary');
  if (summary !== undefined && summary !== 'count' && summary !== 'false')
    bad('_summary supports count and false', '_summary');
  const totalText = one(params, '_total');
  if (totalText !== undefined && !['none', 'estimate', 'accurate'].includes(totalText))
    bad('_total must be none, estimate or accurate', '_total');
  const format = one(params, '_format');
  if (format !== undefined && !['json', 'application/json', 'application/fhir+json'].includes(format)) {
    bad('Only JSON is supported', '_format');
  }
  const include = asList(params._include).map((raw) => parseInclude(raw, '_include', type));
  const revinclude = asList(params._revinclude).map((raw) => parseInclude(raw, '_revinclude', undefined));

  const normalized = Object.entries(params)
    .filter(([k]) => k !== '_cursor')
    .sort(([a], [b]) => a.localeCompare(b));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([type, normalized]))
    .digest('base64url')
    .slice(0, 16);
  const cursorText = one(params, '_cursor');
  return {
    type,
    filters,
    ids,
    lastUpdated,
    count,
    sort: { key: sortKey!, desc: sortMatch[1] === '-', kind: sortKind },
    elements,
    summaryCount: summary === 'count',
    total: summary === 'count' || totalText === 'accurate',
    include,
    revinclude,
    cursor: cursorText === undefined ? undefined : decodeCursor(cursorText, fingerprint),
    fingerprint,
  };
}

export function encodeCursor(fingerprint: string, after: [string, string]): string {
  return Buffer.from(JSON.stringify({ q: fingerprint, a: after })).toString('base64url');
}

function decodeCursor(text: string, fingerprint: string): { after: [string, string] } {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      q?: unknown;
      a?: unknown;
    };
    const a = parsed.a;
    if (
      parsed.q === fingerprint &&
      Array.isArray(a) &&
      a.length === 2 &&
      typeof a[0] === 'string' &&
      typeof a[1] === 'string' &&
      a[0].length <= 64 &&
      fhirIdPattern.test(a[1])
    ) {
      return { after: [a[0], a[1]] };
    }
  } catch {
    // fall through to the error below
  }
  bad('The paging cursor is invalid or belongs to another query', '_cursor');
}
