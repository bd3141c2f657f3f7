import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './index.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ log: { level: 'info', pretty: false } }, stream) };
}

describe('logger', () => {
  it('writes JSON lines with PHI and secrets censored', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2',
        resource: { name: [{ family: 'Doe' }] },
        patient: { name: 'Jane Doe', id: 'p1' },
      },
      'x',
    );
    expect(lines[0]).toMatchObject({ level: 'info', password: '[redacted]', resource: '[redacted]' });
    expect(JSON.stringify(lines[0])).not.toContain('Doe');
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
    expect(lines[0]).toMatchObject({ patient: { id: 'p1' } });
  });

  it('drops query strings from URLs', () => {
    expect(redactUrl('/fhir/R4/Patient?name=Doe&birthdate=1970')).toBe('/fhir/R4/Patient?[redacted]');
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl('/api/videos/v1/hls/k1.1.2.abc.sig/720p/seg_3.m4s')).toBe(
      '/api/videos/v1/hls/[token]/720p/seg_3.m4s',
    );
  });
});
