import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.ts';
import { createLogger } from '../logging/index.ts';
import {
  createHttpServer,
  denyAllAuthenticated,
  registerHealthRoutes,
  MissingRouteAccessError,
} from './index.ts';

function server(lines: string[] = []) {
  const sink = new Writable({
    write(chunk, _e, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return createHttpServer({
    logger: createLogger({ log: { level: 'info', pretty: false } }, sink),
    bodyLimitBytes: 1024,
    trustProxy: false,
    enforceAccess: denyAllAuthenticated,
  });
}

describe('createHttpServer', () => {
  it('refuses to boot when a route declares no access requirement', async () => {
    const app = server();
    expect(() => app.get('/naked', async () => 'x')).toThrow(MissingRouteAccessError);
    await app.close();
  });

  it('runs the enforcer for authenticated routes and never reaches the handler on failure', async () => {
    const app = server();
    let reached = false;
    app.get('/secret', { config: { access: { kind: 'authenticated', roles: ['physician'] } } }, async () => {
      reached = true;
      return 'x';
    });
    const response = await app.inject({ url: '/secret' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'unauthenticated' });
    expect(reached).toBe(false);
    await app.close();
  });

  it('gives every response a request id, echoing a well-formed incoming one only', async () => {
    const app = server();
    app.get('/p', { config: { access: { kind: 'public' } } }, async (request) => ({
      id: request.ctx.requestId,
    }));
    const echoed = await app.inject({ url: '/p', headers: { 'x-request-id': 'abc12345-trace' } });
    expect(echoed.headers['x-request-id']).toBe('abc12345-trace');
    expect(echoed.json()).toEqual({ id: 'abc12345-trace' });
    const replaced = await app.inject({ url: '/p', headers: { 'x-request-id': 'bad id\n' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.close();
  });

  it('maps errors once: JSON for the API, OperationOutcome for FHIR, no internals', async () => {
    const app = server();
    const access = { kind: 'public' } as const;
    app.get('/api/boom', { config: { access } }, async () => {
      throw new Error('secret database detail');
    });
    app.get('/fhir/R4/Patient/:id', { config: { access } }, async () => {
      throw new AppError('not_found', 'Resource not found');
    });
    app.post('/api/echo', { config: { access } }, async (request) => request.body);

    const boom = await app.inject({ url: '/api/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret database detail');

    const fhir = await app.inject({ url: '/fhir/R4/Patient/x' });
    expect(fhir.statusCode).toBe(404);
    expect(fhir.headers['content-type']).toContain('application/fhir+json');
    expect(fhir.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });

    const malformed = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(malformed.statusCode).toBe(400);
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2048) }),
    });
    expect(tooLarge.statusCode).toBe(413);

    const missing = await app.inject({ url: '/fhir/R4/Nothing/here/at/all' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    await app.close();
  });

  it('never logs query strings (FHIR searches carry names)', async () => {
    const lines: string[] = [];
    const app = server(lines);
    app.get('/fhir/R4/Patient', { config: { access: { kind: 'public' } } }, async () => ({}));
    await app.inject({ url: '/fhir/R4/Patient?family=Doe&birthdate=1970-01-01' });
    expect(lines.join('')).toContain('/fhir/R4/Patient?[redacted]');
    expect(lines.join('')).not.toContain('Doe');
    await app.close();
  });

  it('answers /readyz 503 naming the failing backend', async () => {
    const app = server();
    registerHealthRoutes(app, {
      database: async () => {},
      cache: async () => Promise.reject(new Error('down')),
    });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      checks: { database: { status: 'ok' }, cache: { status: 'failing' } },
    });
    await app.close();
  });
});
