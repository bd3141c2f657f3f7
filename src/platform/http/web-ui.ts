import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.ts';
import { sendError } from './error-response.ts';

export interface WebUiOptions {
  /** The Vite build output (`web/dist`): `index.html` plus hashed files under `assets/`. */
  distDir: string;
}

const access = { kind: 'public' } as const;

/** Paths that belong to the server: an unknown one there is a 404, never the app. */
const serverPathPrefixes = ['/api', '/fhir', '/auth', '/audit', '/.well-known'];

/** Vite emits flat `name-hash.ext` files; anything else (slashes, dot-dot, dotfiles) is refused outright. */
const assetFileName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const oneYearMs = 31_536_000_000;

/** Everything the app loads comes from this origin; no inline script or style is needed. */
export const webUiContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  // The video player (hls.js) feeds Media Source Extensions through blob: URLs, runs a blob: worker, and
  // gives caption <track> elements an empty data: source.
  "media-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const htmlSecurityHeaders = {
  'content-security-policy': webUiContentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Serves the built web app: immutable hashed assets, an always-revalidated `index.html` with strict
 * security headers, and the app for any other page address a browser asks for (client-side routes).
 * Without a build, `/` explains how to make one instead of the server failing to start.
 */
export async function registerWebUi(app: FastifyInstance, options: WebUiOptions): Promise<void> {
  const distDir = path.resolve(options.distDir);
  if (!existsSync(path.join(distDir, 'index.html'))) {
    registerMissingBuildNotice(app, distDir);
    return;
  }
  const assetsDir = path.join(distDir, 'assets');

  // Encapsulated so that `reply.sendFile` does not collide with other uses of @fastify/static.
  await app.register(async (scope) => {
    // `serve: false`: the plugin's own routes cannot carry the access declaration every route needs.
    await scope.register(fastifyStatic, { root: distDir, serve: false, index: false });

    scope.get('/', { config: { access } }, async (_request, reply) => sendIndexHtml(reply, distDir));

    scope.get('/assets/*', { config: { access } }, async (request, reply) => {
      const fileName = (request.params as { '*': string })['*'];
      if (!assetFileName.test(fileName)) return reply.callNotFound();
      reply.header('x-content-type-options', 'nosniff');
      return reply.sendFile(fileName, assetsDir, { cacheControl: true, maxAge: oneYearMs, immutable: true });
    });

    scope.get('/*', { config: { access } }, async (request, reply) => {
      if (!isAppPageRequest(request)) return reply.callNotFound();
      return sendIndexHtml(reply, distDir);
    });
  });
}

function sendIndexHtml(reply: FastifyReply, distDir: string): FastifyReply {
  // no-cache, not no-store: the browser revalidates with the ETag and gets a 304 when nothing changed.
  reply.headers(htmlSecurityHeaders).header('cache-control', 'no-cache');
  return reply.sendFile('index.html', distDir, { cacheControl: false });
}

/** A browser navigating to a page of the app: not a server path, not a file, and asking for HTML. */
function isAppPageRequest(request: FastifyRequest): boolean {
  const pathname = request.url.split('?', 1)[0] ?? '/';
  if (serverPathPrefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) {
    return false;
  }
  const lastSegment = pathname.slice(pathname.lastIndexOf('/') + 1);
  if (/\.[A-Za-z0-9]+$/.test(lastSegment)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

function registerMissingBuildNotice(app: FastifyInstance, distDir: string): void {
  const message = 'The web app is not built. Run `npm run build:web`, then restart the server.';
  app.log.warn({ distDir }, message);
  app.get('/', { config: { access } }, async (request, reply) =>
    sendError(request, reply, new AppError('unavailable', message)),
  );
}
