import type { Connection, Submittable } from 'pg';

/*
 * `COPY … TO STDOUT`, read from the wire protocol straight into one buffer: the COPY document, with no
 * object or buffer per row (PostgreSQL sends one CopyData message per row, and a stream of per-message
 * buffers cost `verify` more than hashing them). `CopyOutReader` parses the protocol bytes; `CopyOutQuery`
 * feeds it from a pg client's socket, PGlite from its raw protocol output (entry-copy.ts).
 */

const COPY_DATA = 0x64; // d
/** Messages that may arrive while the copy runs; anything else (CopyDone first) ends it. */
const DURING_COPY = new Set([
  0x48, // H: CopyOutResponse
  COPY_DATA,
  0x53, // S: ParameterStatus
  0x4e, // N: NoticeResponse
  0x41, // A: NotificationResponse
]);
export const ERROR_RESPONSE = 0x45; // E
const HEADER = 5; // type byte + int32 length (which counts itself)

export class CopyOutReader {
  #out: Uint8Array;
  #length = 0;
  readonly #header = new Uint8Array(HEADER);
  #headerLength = 0;
  #code = 0;
  /** Payload bytes of the current message not read yet. */
  #remaining = 0;
  #ended = false;

  /** `into`: a buffer to fill (grown, i.e. replaced, when the document does not fit). */
  constructor(into?: Uint8Array) {
    this.#out = into && into.length > 0 ? into : new Uint8Array(64 * 1024);
  }

  /** The COPY document read so far. */
  get document(): Uint8Array {
    return this.#out.subarray(0, this.#length);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Reads protocol bytes. Returns -1 while the copy runs, else the index in `chunk` where what follows
   * the copy starts (CommandComplete, ReadyForQuery), or where an ErrorResponse starts: messages for the
   * client, which the reader does not consume.
   */
  read(bytes: Uint8Array): number {
    if (this.#ended) return 0;
    // A plain view: a Buffer's own subarray() builds a Buffer per message.
    const chunk = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#remaining === 0) {
        // A message header, possibly split across chunks.
        if (this.#headerLength === 0 && chunk[pos] === ERROR_RESPONSE) return this.#end(pos);
        while (this.#headerLength < HEADER && pos < chunk.length) {
          this.#header[this.#headerLength++] = chunk[pos++] as number;
        }
        if (this.#headerLength < HEADER) return -1;
        const header = this.#header;
        this.#code = header[0] as number;
        this.#remaining =
          (header[1] as number) * 0x1000000 +
          (((header[2] as number) << 16) | ((header[3] as number) << 8) | (header[4] as number)) -
          4;
        this.#headerLength = 0;
        if (this.#remaining < 0) throw new Error('malformed message in the COPY stream');
      }
      const take = Math.min(this.#remaining, chunk.length - pos);
      if (this.#code === COPY_DATA) this.#append(chunk, pos, take);
      pos += take;
      this.#remaining -= take;
      if (this.#remaining === 0 && !DURING_COPY.has(this.#code)) return this.#end(pos);
    }
    return -1;
  }

  #end(pos: number): number {
    this.#ended = true;
    return pos;
  }

  #append(chunk: Uint8Array, from: number, count: number): void {
    if (this.#length + count > this.#out.length) {
      const grown = new Uint8Array(Math.max(2 * this.#out.length, this.#length + count));
      grown.set(this.#out.subarray(0, this.#length));
      this.#out = grown;
    }
    this.#out.set(chunk.subarray(from, from + count), this.#length);
    this.#length += count;
  }
}

type DataHandler = (chunk: Buffer) => void;

/**
 * The pg submittable. Like pg-copy-streams, it takes the connection's socket from pg while the copy runs
 * (as pg does, as a 'data' listener: each chunk as it arrives, no concatenation) and hands it back for
 * the closing messages or an error, which pg then reports through `handleError`.
 */
export class CopyOutQuery implements Submittable {
  readonly text: string;
  /** The COPY document, once the server has confirmed the copy (ReadyForQuery). */
  readonly done: Promise<Uint8Array>;
  #resolve!: (document: Uint8Array) => void;
  #reject!: (error: Error) => void;
  readonly #reader: CopyOutReader;
  #connection: Connection | undefined;
  #pgDataHandler: DataHandler | undefined;
  readonly #onData = (chunk: Buffer) => this.#read(chunk);

  constructor(text: string, into?: Uint8Array) {
    this.text = text;
    this.#reader = new CopyOutReader(into);
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => {}); // the caller awaits it
  }

  submit(connection: Connection): void {
    const stream = connection.stream;
    const handlers = stream.listeners('data');
    if (handlers.length !== 1) throw new Error('COPY expects pg to be the only reader of its socket');
    this.#connection = connection;
    this.#pgDataHandler = handlers[0] as DataHandler;
    stream.removeListener('data', this.#pgDataHandler);
    stream.on('data', this.#onData);
    connection.query(this.text);
  }

  handleError(error: Error): void {
    this.#reject(error);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.#resolve(this.#reader.document);
  }

  #read(chunk: Buffer): void {
    const rest = this.#reader.read(chunk);
    if (rest < 0) return;
    // The copy is over: pg reads the socket again, from chunk[rest] on.
    const stream = (this.#connection as Connection).stream;
    const handler = this.#pgDataHandler as DataHandler;
    stream.removeListener('data', this.#onData);
    stream.on('data', handler);
    if (rest < chunk.length) handler(chunk.subarray(rest));
  }
}

/** A simple Query message ('Q') for `text`. */
export function queryMessage(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const message = new Uint8Array(1 + 4 + body.length + 1);
  message[0] = 0x51;
  new DataView(message.buffer).setInt32(1, 4 + body.length + 1);
  message.set(body, 5);
  return message;
}

/** The human-readable message (field 'M') and SQLSTATE (field 'C') of an ErrorResponse at bytes[0]. */
export function errorResponseText(bytes: Uint8Array): string {
  const fields = new Map<string, string>();
  let pos = HEADER;
  while (pos < bytes.length && bytes[pos] !== 0) {
    const type = String.fromCharCode(bytes[pos] as number);
    const end = bytes.indexOf(0, pos + 1);
    if (end < 0) break;
    fields.set(type, new TextDecoder().decode(bytes.subarray(pos + 1, end)));
    pos = end + 1;
  }
  return `${fields.get('M') ?? 'COPY failed'}${fields.has('C') ? ` (${fields.get('C')})` : ''}`;
}
