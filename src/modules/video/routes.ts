import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Role } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { RouteAccess } from '../../platform/http/index.ts';
import type { ByteRange } from '../../platform/storage/index.ts';
import { canManage } from './access.ts';
import type { VideoModule } from './module.ts';
import { assignBody, beaconBody, captionLanguage, createVideoBody, parseBody } from './schemas.ts';
import { maxChunkBytes } from './service.ts';

const signedIn: RouteAccess = { kind: 'authenticated' };
const uploaders: RouteAccess = {
  kind: 'authenticated',
  roles: ['physician', 'nurse', 'admin'] satisfies Role[],
};
/** Segment requests carry no bearer token: the signed token in the path is checked by the handler. */
const tokenInPath: RouteAccess = { kind: 'public' };

function parseRange(header: string | undefined): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  // Suffix ranges (`bytes=-N`) are rare for media players; serve the whole object instead.
  if (match[1] === '') return undefined;
  return { start: Number(match[1]), end: match[2] === '' ? undefined : Number(match[2]) };
}

function idParam(params: unknown): string {
  const id = (params as { id: string }).id;
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new AppError('not_found', 'No such video.');
  return id;
}

/** `/api/videos`: upload, captions, catalogue, status, assignment, playback, delivery and analytics. */
export function videoRoutes(video: VideoModule) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: maxChunkBytes },
      (_r, body, done) => done(null, body),
    );
    for (const type of ['text/vtt', 'application/x-subrip', 'text/plain']) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 1_048_576 }, (_r, body, done) =>
        done(null, body),
      );
    }

    app.post('/api/videos', { config: { access: uploaders } }, async (request, reply) => {
      const created = await video.catalog.create(request.ctx, parseBody(createVideoBody, request.body));
      return reply.code(201).send({ ...created, uploadUrl: `/api/videos/${created.id}/upload` });
    });

    app.put(
      '/api/videos/:id/upload',
      { config: { access: uploaders }, bodyLimit: maxChunkBytes },
      async (request) => {
        const offset = Number(request.headers['upload-offset']);
        if (!Number.isSafeInteger(offset) || offset < 0) {
          throw new AppError('invalid_request', 'Send the chunk position in the Upload-Offset header.');
        }
        if (!Buffer.isBuffer(request.body)) {
          throw new AppError('unsupported_media_type', 'Send chunks as application/octet-stream.');
        }
        return video.catalog.uploadChunk(request.ctx, idParam(request.params), offset, request.body);
      },
    );

    app.put('/api/videos/:id/captions/:language', { config: { access: uploaders } }, async (request) => {
      const { language } = request.params as { language: string };
      if (!captionLanguage.test(language))
        throw new AppError('invalid_request', 'Use a BCP 47 language tag.');
      if (typeof request.body !== 'string') {
        throw new AppError('unsupported_media_type', 'Send captions as text/vtt or application/x-subrip.');
      }
      const label = String((request.query as { label?: string }).label ?? language).slice(0, 60);
      return video.catalog.uploadCaptions(
        request.ctx,
        idParam(request.params),
        language,
        label,
        request.body,
      );
    });

    app.get('/api/videos', { config: { access: signedIn } }, async (request) => ({
      videos: await video.catalog.catalogue(request.ctx),
    }));

    app.get('/api/videos/:id', { config: { access: signedIn } }, async (request) =>
      video.catalog.status(request.ctx, idParam(request.params)),
    );

    app.post('/api/videos/:id/assignments', { config: { access: signedIn } }, async (request, reply) => {
      const { patientId } = parseBody(assignBody, request.body);
      await video.catalog.assign(request.ctx, idParam(request.params), patientId);
      return reply.code(204).send();
    });

    app.post('/api/videos/:id/revoke-playback', { config: { access: signedIn } }, async (request, reply) => {
      await video.catalog.revokePlayback(request.ctx, idParam(request.params));
      return reply.code(204).send();
    });

    app.get('/api/videos/:id/playback', { config: { access: signedIn } }, async (request) => {
      const id = idParam(request.params);
      const grant = await video.playback.grant(request.ctx, id).catch(async (error: unknown) => {
        await video.recordPlayback(request.ctx, id, 'deny');
        throw error;
      });
      await video.recordPlayback(request.ctx, id, 'permit');
      return grant;
    });

    // Viewers without an account reach `public` videos only (the anonymous context matches no other audience).
    app.get('/api/public/videos/:id/playback', { config: { access: tokenInPath } }, async (request) => {
      const id = idParam(request.params);
      const grant = await video.playback.grant(request.ctx, id);
      await video.recordPlayback(request.ctx, id, 'permit');
      return grant;
    });

    app.post('/api/videos/:id/beacons', { config: { access: signedIn } }, async (request, reply) => {
      const id = idParam(request.params);
      await video.catalog.visible(request.ctx, id);
      await video.analytics.report(request.ctx, id, parseBody(beaconBody, request.body));
      return reply.code(202).send();
    });

    app.get('/api/videos/:id/analytics', { config: { access: signedIn } }, async (request) => {
      const id = idParam(request.params);
      const { video: row, facts } = await video.catalog.visible(request.ctx, id);
      if (!canManage(facts, request.ctx))
        throw new AppError('forbidden', 'Only the owner sees the analytics.');
      return { videoId: row.id, ...(await video.analytics.figures(id)) };
    });

    // Segment fetches are high-volume static reads (the grant that minted the token is audited): no per-request
    // info logs, errors still logged.
    const deliveryRoute = { config: { access: tokenInPath }, logLevel: 'warn' } as const;
    app.get('/api/videos/:id/hls/:token/*', deliveryRoute, async (request, reply) => {
      const { token, '*': file } = request.params as { token: string; '*': string };
      const id = idParam(request.params);
      try {
        const delivery = await video.playback.deliver(id, token, file, parseRange(request.headers.range));
        return send(reply, delivery);
      } catch (error) {
        if (error instanceof AppError && error.reason === 'range_not_satisfiable') {
          return reply.code(416).header('content-range', 'bytes */*').send();
        }
        throw error;
      }
    });
  };
}

function send(reply: FastifyReply, delivery: Awaited<ReturnType<VideoModule['playback']['deliver']>>) {
  reply.header('content-type', delivery.contentType).header('cache-control', delivery.cacheControl);
  reply.header('accept-ranges', 'bytes');
  if (delivery.range) {
    reply
      .code(206)
      .header('content-range', `bytes ${delivery.range.start}-${delivery.range.end}/${delivery.range.size}`);
  }
  if (delivery.contentLength !== undefined) reply.header('content-length', delivery.contentLength);
  return reply.send(delivery.body);
}
