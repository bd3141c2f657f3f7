/*
 * PostgreSQL's binary COPY format as the ledger reader produces it (see entry-copy.ts), and a cursor over
 * its rows. Free of database imports so that worker threads load it quickly.
 */

/** Columns of a copied row, in order. */
export const COPIED_COLUMNS = [
  'seq',
  'entry',
  'leaf_hash',
  'at',
  'patient_id',
  'subject',
  'institution',
  'action',
  'category',
  'purpose',
  'outcome',
  'break_glass',
  'request_id',
] as const;
export type CopiedColumn = (typeof COPIED_COLUMNS)[number];
export const COPIED = Object.fromEntries(COPIED_COLUMNS.map((c, i) => [c, i])) as Record<
  CopiedColumn,
  number
>;

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"
/** Milliseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;

/** Whether a[aStart, aStart + length) equals b[bStart, bStart + length) (a loop: short ranges, no checks). */
export function bytesEqual(
  a: Uint8Array,
  aStart: number,
  b: Uint8Array,
  bStart: number,
  length: number,
): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/**
 * A cursor over the rows of a copied page, without allocating per row: after `next()`, `start[c]` and
 * `end[c]` delimit column `c`'s bytes (`end[c]` is -1 when the value is null).
 */
export class CopiedRows {
  readonly bytes: Buffer;
  readonly start = new Int32Array(COPIED_COLUMNS.length);
  readonly end = new Int32Array(COPIED_COLUMNS.length);
  readonly #view: DataView;
  #pos: number;

  constructor(page: Uint8Array) {
    this.bytes = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
    this.#view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    if (page.length < 19 || SIGNATURE.some((b, i) => page[i] !== b)) {
      throw new Error('not a binary COPY page of the ledger');
    }
    this.#pos = 19 + this.#view.getInt32(15); // signature, flags, header extension
  }

  /** Moves to the next row; false after the last one. */
  next(): boolean {
    const view = this.#view;
    if (this.#pos + 2 > view.byteLength) throw new Error('ledger COPY page is truncated');
    const fields = view.getInt16(this.#pos);
    if (fields === -1) return false;
    if (fields !== COPIED_COLUMNS.length) throw new Error(`ledger COPY row has ${fields} columns`);
    let pos = this.#pos + 2;
    for (let c = 0; c < fields; c++) {
      const length = view.getInt32(pos);
      pos += 4;
      this.start[c] = pos;
      if (length < 0) {
        this.end[c] = -1;
      } else {
        pos += length;
        this.end[c] = pos;
      }
    }
    if (pos > view.byteLength) throw new Error('ledger COPY page is truncated');
    this.#pos = pos;
    return true;
  }

  /** A bigint column as a number (every value here is below 2^53). */
  int8(column: number): number {
    const at = this.start[column] as number;
    return this.#view.getInt32(at) * 4_294_967_296 + this.#view.getUint32(at + 4);
  }

  /** A timestamptz column as milliseconds since the Unix epoch (fractions kept); NaN when null. */
  timestampMs(column: number): number {
    return this.end[column] === -1 ? Number.NaN : this.int8(column) / 1000 + PG_EPOCH_MS;
  }

  isNull(column: number): boolean {
    return this.end[column] === -1;
  }

  boolean(column: number): boolean {
    return this.bytes[this.start[column] as number] === 1;
  }

  text(column: number): string | null {
    const end = this.end[column] as number;
    return end === -1 ? null : this.bytes.toString('utf8', this.start[column], end);
  }

  /** Whether a text column holds exactly this page's bytes [start, end); start -1 stands for SQL null. */
  bytesEqual(column: number, start: number, end: number): boolean {
    const columnEnd = this.end[column] as number;
    if (columnEnd === -1 || start === -1) return columnEnd === -1 && start === -1;
    const columnStart = this.start[column] as number;
    return (
      columnEnd - columnStart === end - start &&
      bytesEqual(this.bytes, columnStart, this.bytes, start, end - start)
    );
  }

  /** Whether a text column holds exactly `value` (null for SQL null), decoding only non-ASCII text. */
  textEquals(column: number, value: string | null): boolean {
    const start = this.start[column] as number;
    const end = this.end[column] as number;
    if (end === -1 || value === null) return end === -1 && value === null;
    if (end - start === value.length) {
      const bytes = this.bytes;
      let i = 0;
      for (; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80 || bytes[start + i] !== code) break;
      }
      if (i === value.length) return true;
      if ((value.charCodeAt(i) as number) < 0x80 && (bytes[start + i] as number) < 0x80) return false;
    }
    return this.bytes.toString('utf8', start, end) === value;
  }
}
