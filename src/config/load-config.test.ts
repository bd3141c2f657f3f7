import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to the embedded backends under ./data', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('embedded');
    expect(config.db.kind).toBe('pglite');
    expect(config.auditDb.kind).toBe('pglite');
    expect(config.cache.kind).toBe('memory');
    expect(config.bus.kind).toBe('memory');
    expect(config.storage.kind).toBe('local');
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8080, publicUrl: 'http://127.0.0.1:8080' });
  });

  it('switches every backend by its own variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@127.0.0.1/carebase',
      AUDIT_DATABASE_URL: 'postgres://audit@127.0.0.1/carebase_audit',
      REDIS_URL: 'redis://127.0.0.1:6379',
      NATS_URL: 'nats://127.0.0.1:4222',
      S3_BUCKET: 'carebase-media',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(config.mode).toBe('production');
    expect(config.db).toMatchObject({ kind: 'postgres', url: 'postgres://app@127.0.0.1/carebase' });
    expect(config.auditDb).toMatchObject({ kind: 'postgres' });
    expect(config.cache).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379' });
    expect(config.bus).toEqual({ kind: 'nats', url: 'nats://127.0.0.1:4222' });
    expect(config.storage).toMatchObject({ kind: 's3', bucket: 'carebase-media', forcePathStyle: true });
  });

  it('names every bad variable at once', () => {
    expect(
      problemsOf({ DATABASE_URL: 'nonsense', PORT: '-1', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' }).sort(),
    ).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it('rejects a port out of range and non-numeric values', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT']);
    expect(problemsOf({ PORT: '80abc' })).toEqual(['PORT']);
  });

  it('refuses an audit ledger in the records database', () => {
    expect(
      problemsOf({ DATABASE_URL: 'postgres://a@h/db', AUDIT_DATABASE_URL: 'postgres://b@h/db' }),
    ).toEqual(['AUDIT_DATABASE_URL']);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).db.kind).toBe('pglite');
  });
});
