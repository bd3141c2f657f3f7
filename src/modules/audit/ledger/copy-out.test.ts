import { describe, expect, it } from 'vitest';
import { CopyOutReader, errorResponseText, queryMessage } from './copy-out.ts';

const message = (code: string, payload: Uint8Array | string = '') => {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const header = Buffer.alloc(5);
  header[0] = code.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};
const rows = ['PGCOPY\n\xff\r\n\0 first row', 'second row', '', 'fourth, a little longer row'];
const copyStream = Buffer.concat([
  message('H', Buffer.from([1, 0, 0])),
  ...rows.map((r) => message('d', Buffer.from(r, 'latin1'))),
  message('N', 'a notice in between'),
  message('c'),
]);
const closing = Buffer.concat([message('C', 'COPY 4\0'), message('Z', 'I')]);
const expected = Buffer.from(rows.join(''), 'latin1');

/** Feeds `bytes` in chunks cut at `cuts`; returns the document and where the copy's closing messages began. */
function feed(bytes: Buffer, cuts: number[], into?: Uint8Array) {
  const reader = new CopyOutReader(into);
  let after = -1;
  let offset = 0;
  for (const end of [...cuts, bytes.length]) {
    const rest = reader.read(bytes.subarray(offset, end));
    if (rest >= 0 && after < 0) after = offset + rest;
    offset = end;
  }
  return { document: Buffer.from(reader.document), after, ended: reader.ended };
}

describe('CopyOutReader', () => {
  const stream = Buffer.concat([copyStream, closing]);

  it('gathers the CopyData payloads whatever the chunking, and stops before the closing messages', () => {
    for (let a = 0; a <= stream.length; a += 3) {
      for (const b of [a, a + 1, a + 7, stream.length]) {
        const result = feed(stream, [a, Math.min(b, stream.length)]);
        expect(result.document.equals(expected), `cut at ${a}, ${b}`).toBe(true);
        expect(result).toMatchObject({ after: copyStream.length, ended: true });
      }
    }
  });

  it('grows past the buffer it was given', () => {
    const small = new Uint8Array(4);
    expect(feed(stream, [10, 40], small).document.equals(expected)).toBe(true);
  });

  it('hands an error back whole, at its first byte', () => {
    const error = message('E', 'SERROR\0C42P01\0Mrelation "audit_entry" does not exist\0\0');
    const failing = Buffer.concat([message('H', Buffer.from([1, 0, 0])), message('d', 'x'), error]);
    const result = feed(failing, [3]);
    expect(result).toMatchObject({ after: failing.length - error.length, ended: true });
    expect(errorResponseText(failing.subarray(result.after))).toBe(
      'relation "audit_entry" does not exist (42P01)',
    );
  });

  it('writes a simple Query message', () => {
    expect(Buffer.from(queryMessage('select 1')).equals(message('Q', 'select 1\0'))).toBe(true);
  });
});
