import { searchParams, type SearchParamDef } from './resource-types.ts';

/** One `resource_search` row's searchable value (the row's type/id/patient/institution come from the resource). */
export interface IndexEntry {
  param: string;
  token?: string;
  ref?: string;
  dStart?: string;
  dEnd?: string;
  num?: number;
}

/** Turns identifying text into blind-index input; the HMAC happens in the key ring. */
export type Blind = (value: string) => Promise<string>;

const maxIndexedLength = 32;
const minContainsLength = 3;

export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      const child = (value as Record<string, unknown>)[part];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined) next.push(child);
    }
    current = next;
  }
  return current;
}

/** Lower-case, accents removed, whitespace collapsed: FHIR string search is case- and accent-insensitive. */
export function normalizeText(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Codings of a CodeableConcept, a Coding, an Identifier or a bare code. */
function tokensOf(value: unknown): { system: string; code: string }[] {
  if (typeof value === 'string') return [{ system: '', code: value }];
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.coding)) return v.coding.flatMap(tokensOf);
  if (typeof v.code === 'string')
    return [{ system: typeof v.system === 'string' ? v.system : '', code: v.code }];
  if (typeof v.value === 'string') {
    return [{ system: typeof v.system === 'string' ? v.system : '', code: v.value }];
  }
  return [];
}

/** Token rows: `sc:system|code` for qualified matches and `c:code` for any-system matches. */
export function tokenKeys(system: string, code: string): string[] {
  return [`sc:${system}|${code}`, `c:${code}`];
}

/** String rows: exact (`e:`), every prefix (`p:`) and every substring of 3+ characters (`c:`). */
export function stringKeys(raw: string): string[] {
  const keys = new Set<string>([`e:${raw}`]);
  const text = normalizeText(raw).slice(0, maxIndexedLength);
  for (let end = 1; end <= text.length; end++) keys.add(`p:${text.slice(0, end)}`);
  for (let start = 0; start < text.length; start++) {
    for (let end = start + minContainsLength; end <= text.length; end++)
      keys.add(`c:${text.slice(start, end)}`);
  }
  // A multi-word value also matches by the start of each word ("van der Berg" ~ "berg").
  for (const word of text.split(' ').slice(1)) {
    for (let end = 1; end <= word.length; end++) keys.add(`p:${word.slice(0, end)}`);
  }
  return [...keys];
}

/** `[start, end]` of a FHIR date/dateTime/instant/Period at its precision, as ISO strings. */
export function dateRange(value: unknown): [string, string] | undefined {
  if (value && typeof value === 'object') {
    const period = value as { start?: unknown; end?: unknown };
    const start = typeof period.start === 'string' ? dateRange(period.start)?.[0] : undefined;
    const end = typeof period.end === 'string' ? dateRange(period.end)?.[1] : undefined;
    if (!start && !end) return undefined;
    return [start ?? '0001-01-01T00:00:00.000Z', end ?? '9999-12-31T23:59:59.999Z'];
  }
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (match) {
    const [, y, m, d] = match;
    const year = Number(y);
    if (d) {
      const start = new Date(Date.UTC(year, Number(m) - 1, Number(d)));
      return [start.toISOString(), new Date(start.getTime() + 86_400_000 - 1).toISOString()];
    }
    if (m) {
      const start = new Date(Date.UTC(year, Number(m) - 1, 1));
      const end = new Date(Date.UTC(year, Number(m), 1) - 1);
      return [start.toISOString(), end.toISOString()];
    }
    return [
      new Date(Date.UTC(year, 0, 1)).toISOString(),
      new Date(Date.UTC(year + 1, 0, 1) - 1).toISOString(),
    ];
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  return [iso, iso];
}

function referenceOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as { reference?: unknown }).reference;
  if (typeof ref !== 'string') return undefined;
  const match = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(ref);
  return match?.[1];
}

async function entriesFor(
  name: string,
  def: SearchParamDef,
  resource: Record<string, unknown>,
  blind: Blind,
): Promise<IndexEntry[]> {
  // NUL cannot be stored in PostgreSQL text; such a value is simply not indexed (the body keeps it).
  const values = def.paths
    .flatMap((path) => valuesAt(resource, path))
    .filter((v) => typeof v !== 'string' || !v.includes('\u0000'));
  const out: IndexEntry[] = [];
  const token = async (key: string) => ({ param: name, token: def.blind ? await blind(key) : key });
  for (const value of values) {
    switch (def.kind) {
      case 'token':
        for (const t of tokensOf(value))
          for (const key of tokenKeys(t.system, t.code)) out.push(await token(key));
        break;
      case 'string':
        if (typeof value === 'string') for (const key of stringKeys(value)) out.push(await token(key));
        break;
      case 'date': {
        const range = dateRange(value);
        if (range) out.push({ param: name, dStart: range[0], dEnd: range[1] });
        break;
      }
      case 'reference': {
        const ref = referenceOf(value);
        if (ref) out.push({ param: name, ref });
        break;
      }
      case 'quantity': {
        const q = value as { value?: unknown; code?: unknown; unit?: unknown };
        if (typeof q?.value === 'number') {
          const unit = typeof q.code === 'string' ? q.code : typeof q.unit === 'string' ? q.unit : '';
          out.push({ param: name, num: q.value, token: unit });
        }
        break;
      }
    }
  }
  return out;
}

/** Every search row for a resource; duplicates removed. */
export async function indexEntries(resource: Record<string, unknown>, blind: Blind): Promise<IndexEntry[]> {
  const defs = searchParams[resource.resourceType as string] ?? {};
  const all: IndexEntry[] = [];
  for (const [name, def] of Object.entries(defs)) all.push(...(await entriesFor(name, def, resource, blind)));
  const seen = new Set<string>();
  return all.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { referenceOf };
