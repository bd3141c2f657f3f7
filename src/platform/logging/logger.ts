import { pino, type Logger } from 'pino';
import type { Config } from '../../config/index.ts';

export type { Logger };

/**
 * Paths that can carry PHI or secrets. They are censored in every log line; handlers log ids, never
 * resource content. Query strings are dropped from logged URLs because FHIR search puts names there.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'otp',
  'totpSecret',
  'token',
  'access_token',
  'refresh_token',
  '*.password',
  '*.otp',
  '*.token',
  'body',
  '*.body',
  'resource',
  '*.resource',
  'name',
  '*.name',
  'birthDate',
  '*.birthDate',
  'identifier',
  '*.identifier',
  'address',
  '*.address',
  'telecom',
  '*.telecom',
  'justification',
  '*.justification',
];

export function createLogger(config: Pick<Config, 'log'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    base: { service: 'carebase' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: {
      err: pino.stdSerializers.err,
      req: (req: { id?: string; method?: string; url?: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url ? redactUrl(req.url) : undefined,
        ip: req.ip,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  if (destination) return pino(options, destination);
  if (config.log.pretty) return pino({ ...options, transport: { target: 'pino-pretty' } });
  return pino(options);
}

/** Drops the query string: search parameters can hold names, birth dates and identifiers. */
export function redactUrl(url: string): string {
  const i = url.indexOf('?');
  const path = i === -1 ? url : url.slice(0, i);
  // Signed playback URLs carry their token in the path (so relative segment URLs inherit it).
  const safePath = path.replace(/\/hls\/[^/]+/, '/hls/[token]');
  return i === -1 ? safePath : `${safePath}?[redacted]`;
}
