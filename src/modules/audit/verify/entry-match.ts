import { COPIED, type CopiedRows } from '../ledger/copied-rows.ts';

/*
 * The per-entry column cross-check of `verify`, on bytes: walks an entry's canonical JSON once and
 * compares each compared field with its index column in place, without building the entry or any string
 * (JSON.parse of each entry cost more than its leaf hash).
 *
 * It answers true only when sure; false means "compare the slow way" (JSON.parse and `entryColumns`),
 * which also names what differs. It is used only on bytes proven to be exactly those the ledger wrote
 * (their leaf hash equals the one published with the checkpoints), so it does not validate JSON beyond
 * what it reads: canonical JSON has its keys sorted at every depth (canonical-json.ts), so one merge walk
 * over the members of the entry and of its actor finds each compared key, or proves it absent. Anything
 * unusual (an escape in a compared string or in a key, a value of another type, bytes after the object)
 * answers false.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Milliseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

/** How a compared member is checked. */
const enum Check {
  Text, // a string equal to a text column; absent ⇔ the column is null
  RequiredText, // the same, never absent
  At, // the ISO timestamp, equal to the timestamptz column
  Index, // the entry's index, equal to its seq
  BreakGlass, // present ⇔ the boolean column is true
  Version, // the format version: exactly 1
  Actor, // the actor object, walked for its own compared members
}

interface Member {
  key: Uint8Array;
  check: Check;
  column: number;
}

const member = (key: string, check: Check, column = -1): Member => ({
  key: new TextEncoder().encode(key),
  check,
  column,
});

/** The compared members, in canonical (code unit) key order. */
const TOP: readonly Member[] = [
  member('action', Check.RequiredText, COPIED.action),
  member('actor', Check.Actor),
  member('at', Check.At, COPIED.at),
  member('breakGlass', Check.BreakGlass, COPIED.break_glass),
  member('category', Check.Text, COPIED.category),
  member('index', Check.Index),
  member('outcome', Check.RequiredText, COPIED.outcome),
  member('patient', Check.Text, COPIED.patient_id),
  member('purpose', Check.Text, COPIED.purpose),
  member('requestId', Check.RequiredText, COPIED.request_id),
  member('v', Check.Version),
];
const ACTOR: readonly Member[] = [
  member('institution', Check.Text, COPIED.institution),
  member('subject', Check.Text, COPIED.subject),
];

/** End (exclusive) of the string whose opening quote is at `pos`, or -1; `escaped` tells if it had `\`. */
let escaped = false;
function skipString(bytes: Uint8Array, pos: number, limit: number): number {
  escaped = false;
  for (let i = pos + 1; i < limit; i++) {
    const b = bytes[i];
    if (b === BACKSLASH) {
      escaped = true;
      i++;
    } else if (b === QUOTE) {
      return i + 1;
    }
  }
  return -1;
}

/** End (exclusive) of the value starting at `pos`, or -1. */
function skipValue(bytes: Uint8Array, pos: number, limit: number): number {
  const first = bytes[pos];
  if (first === QUOTE) return skipString(bytes, pos, limit);
  let i = pos;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    while (i < limit && bytes[i] !== COMMA && bytes[i] !== CLOSE_BRACE && bytes[i] !== CLOSE_BRACKET) i++;
    return i;
  }
  for (let depth = 0; i < limit; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      i = skipString(bytes, i, limit) - 1;
      if (i < 0) return -1;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth++;
    } else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --depth === 0) {
      return i + 1;
    }
  }
  return -1;
}

/** Sign of the comparison of bytes[start, end) with `key`, in byte (= code unit, for ASCII keys) order. */
function compareKey(bytes: Uint8Array, start: number, end: number, key: Uint8Array): number {
  const length = Math.min(end - start, key.length);
  for (let i = 0; i < length; i++) {
    const d = (bytes[start + i] as number) - (key[i] as number);
    if (d !== 0) return d;
  }
  return end - start - key.length;
}

/** A canonical non-negative integer at [start, end), or -1. */
function integer(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 16 || (bytes[start] === 0x30 && end - start > 1)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return Number.isSafeInteger(value) ? value : -1;
}

/** `count` decimal digits at `pos`, or NaN. */
function digits(bytes: Uint8Array, pos: number, count: number): number {
  let value = 0;
  for (let i = pos; i < pos + count; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Position and byte of each separator of `YYYY-MM-DDTHH:MM:SS.mmmZ`, flattened. */
const ISO_PUNCTUATION = [4, 0x2d, 7, 0x2d, 10, 0x54, 13, 0x3a, 16, 0x3a, 19, 0x2e, 23, 0x5a];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Milliseconds since the Unix epoch of `YYYY-MM-DDTHH:MM:SS.mmmZ` (what `Date.toISOString` writes for
 * years 1000–9999) at [start, end), or NaN for anything else.
 */
function isoMillis(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 24) return Number.NaN;
  for (let i = 0; i < ISO_PUNCTUATION.length; i += 2) {
    if (bytes[start + (ISO_PUNCTUATION[i] as number)] !== ISO_PUNCTUATION[i + 1]) return Number.NaN;
  }
  const day = civilDay(bytes, start);
  const hour = digits(bytes, start + 11, 2);
  const minute = digits(bytes, start + 14, 2);
  const second = digits(bytes, start + 17, 2);
  const millis = digits(bytes, start + 20, 3);
  if (!(hour <= 23 && minute <= 59 && second <= 59 && millis >= 0)) return Number.NaN;
  return ((day * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}

/** The last date read (`YYYY-MM-DD` bytes) and its day number: entries of one page share a few dates. */
const lastDate = new Uint8Array(10);
let lastDay = Number.NaN;

/** Days since 1970-01-01 of the valid date `YYYY-MM-DD` (years 1000–9999) at `start`, or NaN. */
function civilDay(bytes: Uint8Array, start: number): number {
  let same = true;
  for (let i = 0; i < 10 && same; i++) same = bytes[start + i] === lastDate[i];
  if (same) return lastDay;
  const year = digits(bytes, start, 4);
  const month = digits(bytes, start + 5, 2);
  const day = digits(bytes, start + 8, 2);
  let days = Number.NaN;
  if (year >= 1000 && month >= 1 && month <= 12 && day >= 1) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
    if (day <= monthDays) days = daysFromCivil(year, month, day);
  }
  for (let i = 0; i < 10; i++) lastDate[i] = bytes[start + i] as number;
  lastDay = days;
  return days;
}

/** A plain string value (no escapes) at `vs`: the index just past it, or -1. */
function plainString(bytes: Uint8Array, vs: number, limit: number): number {
  if (bytes[vs] !== QUOTE) return -1;
  const ve = skipString(bytes, vs, limit);
  return ve < 0 || escaped ? -1 : ve;
}

/**
 * Reads member `m`'s value at `vs` and checks it against the row: the index just past the value, or -1
 * when they differ or the value is unusual.
 */
function presentValue(
  rows: CopiedRows,
  seq: number,
  m: Member,
  bytes: Uint8Array,
  vs: number,
  limit: number,
): number {
  switch (m.check) {
    case Check.Text:
    case Check.RequiredText: {
      const ve = plainString(bytes, vs, limit);
      return ve >= 0 && rows.bytesEqual(m.column, vs + 1, ve - 1) ? ve : -1;
    }
    case Check.At: {
      const ve = plainString(bytes, vs, limit);
      if (ve < 0 || rows.isNull(m.column)) return -1;
      return rows.int8(m.column) === (isoMillis(bytes, vs + 1, ve - 1) - PG_EPOCH_MS) * 1000 ? ve : -1;
    }
    case Check.Index: {
      const ve = skipValue(bytes, vs, limit);
      return integer(bytes, vs, ve) === seq ? ve : -1;
    }
    case Check.BreakGlass:
      return bytes[vs] === OPEN_BRACE && !rows.isNull(m.column) && rows.boolean(m.column)
        ? skipValue(bytes, vs, limit)
        : -1;
    case Check.Version:
      return bytes[vs] === 0x31 && (bytes[vs + 1] === COMMA || bytes[vs + 1] === CLOSE_BRACE) ? vs + 1 : -1;
    case Check.Actor:
      return walkObject(rows, seq, ACTOR, bytes, vs, limit);
  }
}

/** Whether member `m`, absent, agrees with the row. */
function absentMatches(rows: CopiedRows, m: Member): boolean {
  if (m.check === Check.Text) return rows.isNull(m.column);
  if (m.check === Check.BreakGlass) return !rows.isNull(m.column) && !rows.boolean(m.column);
  return false;
}

/**
 * Walks the object at `start` comparing `expected` members with the row; the index just past the object,
 * or -1 when something does not match or is unusual.
 */
function walkObject(
  rows: CopiedRows,
  seq: number,
  expected: readonly Member[],
  bytes: Uint8Array,
  start: number,
  limit: number,
): number {
  if (bytes[start] !== OPEN_BRACE) return -1;
  let e = 0;
  let pos = start + 1;
  if (bytes[pos] !== CLOSE_BRACE) {
    for (;;) {
      if (bytes[pos] !== QUOTE) return -1;
      const keyEnd = skipString(bytes, pos, limit);
      if (keyEnd < 0 || escaped || bytes[keyEnd] !== COLON) return -1;
      const vs = keyEnd + 1;
      let ve = -2; // not read yet
      while (e < expected.length) {
        const m = expected[e] as Member;
        const order = compareKey(bytes, pos + 1, keyEnd - 1, m.key);
        if (order < 0) break; // a member not compared: skipped below
        e++;
        if (order === 0) {
          ve = presentValue(rows, seq, m, bytes, vs, limit);
          if (ve < 0) return -1;
          break;
        }
        if (!absentMatches(rows, m)) return -1;
      }
      if (ve === -2) ve = skipValue(bytes, vs, limit);
      if (ve < 0) return -1;
      pos = ve;
      if (bytes[pos] === CLOSE_BRACE) break;
      if (bytes[pos] !== COMMA) return -1;
      pos++;
    }
  }
  for (; e < expected.length; e++) if (!absentMatches(rows, expected[e] as Member)) return -1;
  return pos + 1;
}

/**
 * Whether the current row's entry (canonical JSON bytes, see above) is entry `seq` and every index column
 * of the row equals the entry's field. False: not sure, compare the slow way.
 */
export function entryMatchesRow(rows: CopiedRows, seq: number): boolean {
  const start = rows.start[COPIED.entry] as number;
  const end = rows.end[COPIED.entry] as number;
  return end !== -1 && walkObject(rows, seq, TOP, rows.bytes, start, end) === end;
}
