import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { createHttpServer, denyAllAuthenticated } from './index.ts';
import { registerWebUi } from './web-ui.ts';

const indexHtml =
  '<!doctype html><html><head><title>Carebase</title></head><body><div id="root"></div></body></html>';
const scriptBody = 'console.log("app");';
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

async function server(distDir: string): Promise<FastifyInstance> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = createHttpServer({
    logger: createLogger({ log: { level: 'info', pretty: false } }, discard),
    bodyLimitBytes: 1024,
    trustProxy: false,
    enforceAccess: denyAllAuthenticated,
  });
  app.get('/api/ping', { config: { access: { kind: 'public' } } }, async () => ({ pong: true }));
  await registerWebUi(app, { distDir });
  // createHttpServer refuses routes without an access declaration: ready() proves every route has one.
  await app.ready();
  return app;
}

describe('registerWebUi with a built app', () => {
  let distDir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    distDir = await mkdtemp(path.join(tmpdir(), 'carebase-web-ui-'));
    await mkdir(path.join(distDir, 'assets'));
    await writeFile(path.join(distDir, 'index.html'), indexHtml);
    await writeFile(path.join(distDir, 'assets', 'index-AbC123.js'), scriptBody);
    await writeFile(path.join(distDir, 'secret.txt'), 'not an asset');
    app = await server(distDir);
  });

  afterAll(async () => {
    await app.close();
    await rm(distDir, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache and strict security headers', async () => {
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(indexHtml);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('lets the browser revalidate index.html (ETag, 304)', async () => {
    const first = await app.inject({ url: '/' });
    const etag = String(first.headers.etag);
    expect(etag).not.toBe('undefined');
    const again = await app.inject({ url: '/', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });

  it('serves hashed assets as immutable for a year', async () => {
    const response = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(scriptBody);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a missing or malformed asset with a JSON 404 that is not cached as immutable', async () => {
    for (const url of [
      '/assets/index-missing.js',
      '/assets/%2e%2e%2fsecret.txt',
      '/assets/..%2Fsecret.txt',
      '/assets/.hidden',
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: 'not_found' });
      expect(response.headers['cache-control'], url).toBeUndefined();
      expect(response.body, url).not.toContain('not an asset');
    }
  });

  it('answers a browser navigating to an app page with index.html (client-side routes)', async () => {
    for (const url of ['/patients', '/my/access-log?from=2024', '/privacy/break-glass', '/audit-trail']) {
      const response = await app.inject({ url, headers: html });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(indexHtml);
      expect(response.headers['content-security-policy'], url).toContain("default-src 'self'");
    }
  });

  it('never answers server paths, files or non-HTML requests with the app', async () => {
    const notFound = [
      { url: '/api/unknown', headers: html },
      { url: '/api', headers: html },
      { url: '/auth/nothing', headers: html },
      { url: '/audit/nothing', headers: html },
      { url: '/.well-known/nothing', headers: html },
      { url: '/favicon.ico', headers: html },
      { url: '/patients', headers: { accept: 'application/json' } },
      { url: '/patients', headers: {} },
    ];
    for (const { url, headers } of notFound) {
      const response = await app.inject({ url, headers });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: 'not_found' });
    }
    const fhir = await app.inject({ url: '/fhir/R4/Unknown', headers: html });
    expect(fhir.statusCode).toBe(404);
    expect(fhir.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    const post = await app.inject({ method: 'POST', url: '/patients', headers: html });
    expect(post.statusCode).toBe(404);
  });

  it('leaves registered routes to their handlers', async () => {
    const response = await app.inject({ url: '/api/ping', headers: html });
    expect(response.json()).toEqual({ pong: true });
  });
});

describe('registerWebUi without a build', () => {
  it('answers / with 503 and says how to build the app', async () => {
    const missing = path.join(tmpdir(), `carebase-no-web-dist-${process.pid}`);
    const app = await server(missing);
    const response = await app.inject({ url: '/', headers: html });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'unavailable' });
    expect(response.json().message).toContain('npm run build:web');
    expect((await app.inject({ url: '/patients', headers: html })).statusCode).toBe(404);
    await app.close();
  });
});
