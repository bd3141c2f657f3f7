/*
 * Reads the fields `verify` compares with the index columns straight from an entry's canonical JSON
 * bytes, without building the object (JSON.parse of each entry cost more than its leaf hash).
 *
 * It does not validate JSON: it is only used on bytes proven to be exactly those the ledger wrote
 * (their leaf hash equals the one published with the checkpoints), and the ledger writes canonical JSON
 * (canonical-json.ts: no whitespace, plain keys). It answers undefined whenever anything is unusual (an
 * escaped or non-string value, a key with an escape), and the caller then falls back to JSON.parse.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The compared string fields, in the order of `EntryFields.text`. */
export const TEXT_FIELDS = [
  'action',
  'category',
  'outcome',
  'patient',
  'purpose',
  'requestId',
  'subject',
  'institution',
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
const SLOT = Object.fromEntries(TEXT_FIELDS.map((f, i) => [f, i])) as Record<TextField, number>;

/** Read in place; one object reused by every call (valid until the next one). */
export interface EntryFields {
  /** The format version `v` (1), or 0 when absent. */
  version: number;
  index: number;
  /** The `at` string (ASCII, no escapes). */
  at: string;
  breakGlass: boolean;
  /** For each of TEXT_FIELDS, the raw bytes [start, end) between its quotes; start -1 for null or absent. */
  text: Int32Array;
}

type ActorField = 'subject' | 'institution';

let lastEscaped = false;

/** End (exclusive) of the string whose opening quote is at `pos`, or -1; sets `lastEscaped`. */
function skipString(bytes: Uint8Array, pos: number, limit: number): number {
  lastEscaped = false;
  for (let i = pos + 1; i < limit; i++) {
    const b = bytes[i];
    if (b === BACKSLASH) {
      lastEscaped = true;
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

function keyIs(bytes: Uint8Array, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (bytes[start + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** The value at [start, end) as a plain string: 1 (its bytes are [start + 1, end - 1)), null: 0, else -1. */
function rawText(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] === QUOTE) return skipString(bytes, start, end) !== end || lastEscaped ? -1 : 1;
  return keyIs(bytes, start, end, 'null') ? 0 : -1;
}

/** A canonical non-negative safe integer, or -1. */
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

/** Which compared field the key at bytes [start, end) names, if any (dispatch on first byte and length). */
function topKey(bytes: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  switch (bytes[start]) {
    case 0x61: // a
      if (length === 2) return bytes[start + 1] === 0x74 ? 'at' : undefined;
      if (length === 5) return keyIs(bytes, start, end, 'actor') ? 'actor' : undefined;
      return length === 6 && keyIs(bytes, start, end, 'action') ? 'action' : undefined;
    case 0x62: // b
      return length === 10 && keyIs(bytes, start, end, 'breakGlass') ? 'breakGlass' : undefined;
    case 0x63: // c
      return length === 8 && keyIs(bytes, start, end, 'category') ? 'category' : undefined;
    case 0x69: // i
      return length === 5 && keyIs(bytes, start, end, 'index') ? 'index' : undefined;
    case 0x6f: // o
      return length === 7 && keyIs(bytes, start, end, 'outcome') ? 'outcome' : undefined;
    case 0x70: // p
      if (length !== 7) return undefined;
      if (keyIs(bytes, start, end, 'patient')) return 'patient';
      return keyIs(bytes, start, end, 'purpose') ? 'purpose' : undefined;
    case 0x72: // r
      return length === 9 && keyIs(bytes, start, end, 'requestId') ? 'requestId' : undefined;
    case 0x76: // v
      return length === 1 ? 'v' : undefined;
    default:
      return undefined;
  }
}

function actorKey(bytes: Uint8Array, start: number, end: number): ActorField | undefined {
  if (end - start === 7 && bytes[start] === 0x73 && keyIs(bytes, start, end, 'subject')) return 'subject';
  return end - start === 11 && bytes[start] === 0x69 && keyIs(bytes, start, end, 'institution')
    ? 'institution'
    : undefined;
}

/**
 * Reads the object starting at `start` into `fields` (the actor's members when `inActor`) and returns
 * the index just past it, or -1 when the bytes are not an object of plain keys or a compared value is
 * not a plain string or null.
 */
function readObject(
  bytes: Buffer,
  start: number,
  limit: number,
  fields: EntryFields,
  inActor: boolean,
): number {
  if (bytes[start] !== OPEN_BRACE) return -1;
  let pos = start + 1;
  if (bytes[pos] === CLOSE_BRACE) return pos + 1;
  for (;;) {
    if (bytes[pos] !== QUOTE) return -1;
    const keyEnd = skipString(bytes, pos, limit);
    if (keyEnd < 0 || lastEscaped || bytes[keyEnd] !== COLON) return -1;
    const key = inActor ? actorKey(bytes, pos + 1, keyEnd - 1) : topKey(bytes, pos + 1, keyEnd - 1);
    const vs = keyEnd + 1;
    const ve = key === 'actor' ? readObject(bytes, vs, limit, fields, true) : skipValue(bytes, vs, limit);
    if (ve < 0) return -1;
    switch (key) {
      case undefined:
      case 'actor':
        break;
      case 'index':
        fields.index = integer(bytes, vs, ve);
        if (fields.index < 0) return -1;
        break;
      case 'at':
        if (rawText(bytes, vs, ve) !== 1) return -1;
        fields.at = bytes.toString('latin1', vs + 1, ve - 1);
        break;
      case 'v':
        if (!keyIs(bytes, vs, ve, '1')) return -1;
        fields.version = 1;
        break;
      case 'breakGlass':
        fields.breakGlass = true;
        break;
      default: {
        const kind = rawText(bytes, vs, ve);
        if (kind < 0) return -1;
        const slot = SLOT[key as TextField] * 2;
        fields.text[slot] = kind === 1 ? vs + 1 : -1;
        fields.text[slot + 1] = ve - 1;
      }
    }
    if (bytes[ve] === CLOSE_BRACE) return ve + 1;
    if (bytes[ve] !== COMMA) return -1;
    pos = ve + 1;
  }
}

const shared: EntryFields = { version: 0, index: -1, at: '', breakGlass: false, text: new Int32Array(16) };

/** The compared fields of the entry at bytes [start, end), or undefined (use JSON.parse instead). */
export function readEntryFields(bytes: Buffer, start: number, end: number): EntryFields | undefined {
  const fields = shared;
  fields.version = 0;
  fields.index = -1;
  fields.at = '';
  fields.breakGlass = false;
  fields.text.fill(-1);
  const ok = readObject(bytes, start, end, fields, false) === end;
  return ok && fields.version === 1 && fields.index >= 0 && fields.at !== '' ? fields : undefined;
}
