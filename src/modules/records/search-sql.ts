import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../platform/errors/index.ts';
import { compartmentPath } from './resource-types.ts';
import { dateRange, normalizeText, tokenKeys } from './search-index.ts';
import type { DatePrefix, Filter, FilterValue, SearchQuery } from './search-query.ts';
import { rowColumns, type StoredRow } from './store.ts';

type Blind = (value: string) => Promise<string>;
const pgTimestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** Range comparison of a stored `[start, end]` against a query value at its precision. */
function dateCondition(
  start: RawBuilder<unknown>,
  end: RawBuilder<unknown>,
  prefix: DatePrefix,
  value: string,
) {
  const range = dateRange(value);
  if (!range) throw new AppError('invalid_request', 'Invalid date');
  const [lo, hi] = range;
  switch (prefix) {
    case 'eq':
      return sql`(${start} >= ${lo}::timestamptz and ${end} <= ${hi}::timestamptz)`;
    case 'ne':
      return sql`not (${start} >= ${lo}::timestamptz and ${end} <= ${hi}::timestamptz)`;
    case 'lt':
    case 'eb':
      return sql`${start} < ${lo}::timestamptz`;
    case 'le':
      return sql`${start} <= ${hi}::timestamptz`;
    case 'gt':
    case 'sa':
      return sql`${end} > ${hi}::timestamptz`;
    case 'ge':
      return sql`${end} >= ${lo}::timestamptz`;
  }
}

function numberCondition(prefix: DatePrefix, value: number) {
  switch (prefix) {
    case 'eq':
      return sql`s.num = ${value}::double precision`;
    case 'ne':
      return sql`s.num <> ${value}::double precision`;
    case 'lt':
    case 'eb':
      return sql`s.num < ${value}::double precision`;
    case 'le':
      return sql`s.num <= ${value}::double precision`;
    case 'gt':
    case 'sa':
      return sql`s.num > ${value}::double precision`;
    case 'ge':
      return sql`s.num >= ${value}::double precision`;
  }
}

async function valueCondition(
  filter: Filter,
  value: FilterValue,
  blind: Blind,
): Promise<RawBuilder<unknown>> {
  const key = (k: string) => (filter.def.blind ? blind(k) : Promise.resolve(k));
  switch (value.kind) {
    case 'token': {
      const k =
        value.system === undefined ? tokenKeys('', value.code)[1]! : tokenKeys(value.system, value.code)[0]!;
      return sql`s.token = ${await key(k)}`;
    }
    case 'string': {
      const text = normalizeText(value.text).slice(0, 32);
      const k =
        filter.modifier === 'exact'
          ? `e:${value.text}`
          : filter.modifier === 'contains'
            ? `c:${text}`
            : `p:${text}`;
      return sql`s.token = ${await key(k)}`;
    }
    case 'date':
      return dateCondition(sql`s.d_start`, sql`s.d_end`, value.prefix, value.value);
    case 'reference':
      return sql`s.ref = any(${value.refs}::text[])`;
    case 'quantity':
      return value.code === undefined
        ? numberCondition(value.prefix, value.value)
        : sql`(${numberCondition(value.prefix, value.value)} and s.token = ${value.code})`;
  }
}

/**
 * The patients a compartment reference filter (`patient`/`subject` on the element the resource's
 * compartment is derived from) can match. A stored row's `patient_id` is that element's reference (writes
 * derive both with `referenceOf`, and compartment types must reference a Patient), so the filter is
 * `patient_id = any(ids)`, which the `(patient_id, resource_type)` index answers without scanning the type
 * or probing the search index. Undefined for other filters.
 */
function compartmentPatients(query: SearchQuery, filter: Filter): string[] | undefined {
  const path = compartmentPath[query.type];
  if (!path || filter.def.kind !== 'reference' || filter.def.paths.join() !== path) return undefined;
  return filter.values.flatMap((v) =>
    v.kind === 'reference'
      ? v.refs.filter((ref) => ref.startsWith('Patient/')).map((ref) => ref.slice('Patient/'.length))
      : [],
  );
}

/**
 * Whether the search is confined to named patients' compartments (a compartment filter, or `extra`
 * conditions, which only `$everything` passes, naming its patient): a few rows whatever the other values,
 * so one plan fits every such search and its statement can be prepared once.
 */
export function compartmentScoped(query: SearchQuery, extra: readonly unknown[]): boolean {
  return extra.length > 0 || query.filters.some((f) => compartmentPatients(query, f) !== undefined);
}

/**
 * The WHERE conditions. Each other filter is an EXISTS probe of the search index; within a compartment the
 * probe is kept per row (`offset 0` stops it being turned into a join that may read a whole common token,
 * such as every laboratory observation, from the token index).
 */
async function conditions(query: SearchQuery, blind: Blind, scoped: boolean): Promise<RawBuilder<unknown>[]> {
  // Rows of a crypto-shredded patient are gone for every purpose, search included.
  const where: RawBuilder<unknown>[] = [
    // `*` spans types (Patient/$everything supplies its own compartment condition).
    query.type === '*' ? sql`true` : sql`r.resource_type = ${query.type}`,
    sql`not r.deleted`,
    sql`(r.body_enc is null or k.wrapped is not null)`,
  ];
  if (query.ids) where.push(sql`r.id = any(${query.ids}::text[])`);
  for (const lu of query.lastUpdated) {
    where.push(dateCondition(sql`r.last_updated`, sql`r.last_updated`, lu.prefix, lu.value));
  }
  for (const filter of query.filters) {
    const patients = compartmentPatients(query, filter);
    if (patients) {
      // One patient (the usual case) as a scalar: its generic plan is estimated like a custom one.
      where.push(
        patients.length === 1
          ? sql`r.patient_id = ${patients[0]}`
          : sql`r.patient_id = any(${patients}::text[])`,
      );
      continue;
    }
    const alternatives = await Promise.all(filter.values.map((v) => valueCondition(filter, v, blind)));
    where.push(sql`exists (select 1 from resource_search s where s.resource_type = r.resource_type
      and s.id = r.id and s.param = ${filter.param} and (${sql.join(alternatives, sql` or `)})
      ${scoped ? sql`offset 0` : sql``})`);
  }
  return where;
}

/** A keyset position: the sort value and id of the last row already scanned. */
export type Position = [string, string];

export function positionOf(query: SearchQuery, row: StoredRow): Position {
  if (query.sort.key === '_id') return [row.id, row.id];
  return [row.sv ?? row.lu, row.id];
}

/** How a sort value compares: its SQL type and what a cursor's value of it must look like. */
const sortTypes = {
  date: { cast: sql`timestamptz`, valid: (v: string) => pgTimestamp.test(v) || v === '-infinity' },
  token: { cast: sql`text`, valid: (v: string) => v.length <= 256 },
  quantity: {
    cast: sql`double precision`,
    valid: (v: string) => v === '-Infinity' || Number.isFinite(Number(v)),
  },
};

/**
 * The sort value of a row: its last update, or from the search index the earliest instant of a date
 * parameter, the lowest code of a token parameter, or the lowest value of a quantity parameter (rows
 * without one sort first ascending, last descending).
 */
function sortValue(query: SearchQuery, kind: keyof typeof sortTypes): RawBuilder<unknown> {
  if (query.sort.key === '_lastUpdated') return sql`r.last_updated`;
  const indexed = (value: RawBuilder<unknown>, filter: RawBuilder<unknown>, none: RawBuilder<unknown>) =>
    sql`coalesce((select min(${value}) from resource_search s where s.resource_type = r.resource_type
      and s.id = r.id and s.param = ${query.sort.key}${filter}), ${none})`;
  switch (kind) {
    case 'date':
      return indexed(sql`s.d_start`, sql``, sql`'-infinity'::timestamptz`);
    case 'token':
      // `c:` rows hold each code without its system (see `tokenKeys`).
      return indexed(sql`substr(s.token, 3)`, sql` and s.token like 'c:%'`, sql`''`);
    case 'quantity':
      return indexed(sql`s.num`, sql``, sql`'-infinity'::double precision`);
  }
}

/**
 * The statement for candidate rows in sort order after `after`, before any authorization: the caller
 * filters them one by one, so counts, pages and cursors are computed over visible rows only. All values are
 * bound parameters.
 */
export async function candidatesQuery(
  query: SearchQuery,
  blind: Blind,
  after: Position | undefined,
  limit: number,
  extra: RawBuilder<unknown>[] = [],
): Promise<RawBuilder<StoredRow>> {
  const where = [...(await conditions(query, blind, compartmentScoped(query, extra))), ...extra];
  const op = query.sort.desc ? sql`<` : sql`>`;
  const dir = query.sort.desc ? sql`desc` : sql`asc`;
  const kind = query.sort.kind;
  const byId = kind === 'id';
  const value = byId ? undefined : sortValue(query, kind);
  if (after) {
    if (kind === 'id') where.push(sql`r.id ${op} ${after[1]}`);
    else {
      const type = sortTypes[kind];
      if (!type.valid(after[0])) throw new AppError('invalid_request', 'The paging cursor is invalid');
      where.push(sql`(${value}, r.id) ${op} (cast(${after[0]} as ${type.cast}), ${after[1]})`);
    }
  }
  const order = byId ? sql`r.id ${dir}` : sql`${value} ${dir}, r.id ${dir}`;
  const sortColumn = value && query.sort.key !== '_lastUpdated' ? sql`, (${value})::text as sv` : sql``;
  return sql<StoredRow>`select ${rowColumns}${sortColumn} from resource r
    left join data_key k on k.owner = r.key_owner
    where ${sql.join(where, sql` and `)} order by ${order} limit ${limit}`;
}
