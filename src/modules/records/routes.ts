import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteAccess } from '../../platform/http/index.ts';
import { parseETag } from './bundle.ts';
import { capabilityStatement } from './capability.ts';
import type { StoredResource } from './read.ts';
import type { RecordsService } from './service.ts';
import type { FhirResource } from './validation.ts';

const base = '/fhir/R4';
const fhirJson = 'application/fhir+json';

function scoped(permission: string, type = '{type}'): RouteAccess {
  return {
    kind: 'authenticated',
    scopes: ['user', 'patient', 'system'].map((context) => `${context}/${type}.${permission}`),
  };
}

type TypeParams = { type: string };
type IdParams = { type: string; id: string };
type Query = Record<string, string | string[] | undefined>;

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${base}`;
}

function sendStored(reply: FastifyReply, stored: StoredResource) {
  reply.header('etag', `W/"${stored.versionId}"`);
  reply.header('last-modified', stored.lastUpdated.toUTCString());
  return reply.code(200).type(fhirJson).send(stored.json);
}

function sendResource(reply: FastifyReply, resource: FhirResource, status = 200) {
  const meta = (resource.meta ?? {}) as { versionId?: string; lastUpdated?: string };
  if (meta.versionId) reply.header('etag', `W/"${meta.versionId}"`);
  if (meta.lastUpdated) reply.header('last-modified', new Date(meta.lastUpdated).toUTCString());
  return reply.code(status).type(fhirJson).send(resource);
}

/** FHIR R4 REST under /fhir/R4; every route declares SMART scopes for the type it touches. */
export function recordsRoutes(service: RecordsService) {
  return async function plugin(app: FastifyInstance) {
    // FHIR JSON and the form-encoded POST _search body; encapsulated to this plugin.
    app.addContentTypeParser(fhirJson, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => {
        const params: Query = {};
        for (const [k, v] of new URLSearchParams(body as string)) {
          const prev = params[k];
          params[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        }
        done(null, params);
      },
    );

    app.get(`${base}/metadata`, { config: { access: { kind: 'public' } } }, async (request, reply) =>
      reply.type(fhirJson).send(capabilityStatement(baseUrl(request))),
    );

    app.post(
      `${base}`,
      { config: { access: { kind: 'authenticated', scopes: ['user/*.cu', 'system/*.cu'] } } },
      async (request, reply) =>
        reply.type(fhirJson).send(await service.session(request.ctx, baseUrl(request)).bundle(request.body)),
    );

    app.get<{ Params: { id: string }; Querystring: Query }>(
      `${base}/Patient/:id/$everything`,
      { config: { access: { kind: 'authenticated', scopes: ['user/*.rs', 'patient/*.rs', 'system/*.rs'] } } },
      async (request, reply) =>
        reply
          .type(fhirJson)
          .send(
            (
              await service
                .session(request.ctx, baseUrl(request))
                .everything(request.params.id, request.query)
            ).text,
          ),
    );

    app.get<{ Params: TypeParams; Querystring: Query }>(
      `${base}/:type`,
      { config: { access: scoped('s') } },
      async (request, reply) =>
        reply
          .type(fhirJson)
          .send(
            (await service.session(request.ctx, baseUrl(request)).search(request.params.type, request.query))
              .text,
          ),
    );

    app.post<{ Params: TypeParams; Body: Query | undefined; Querystring: Query }>(
      `${base}/:type/_search`,
      { config: { access: scoped('s') } },
      async (request, reply) => {
        const params = { ...request.query, ...(request.body ?? {}) };
        return reply
          .type(fhirJson)
          .send(
            (await service.session(request.ctx, baseUrl(request)).search(request.params.type, params)).text,
          );
      },
    );

    app.get<{ Params: IdParams }>(
      `${base}/:type/:id`,
      { config: { access: scoped('r') } },
      async (request, reply) =>
        sendStored(
          reply,
          await service.session(request.ctx).readStored(request.params.type, request.params.id),
        ),
    );

    app.get<{ Params: IdParams }>(
      `${base}/:type/:id/_history`,
      { config: { access: scoped('r') } },
      async (request, reply) =>
        reply
          .type(fhirJson)
          .send(
            await service
              .session(request.ctx, baseUrl(request))
              .history(request.params.type, request.params.id),
          ),
    );

    app.get<{ Params: IdParams & { vid: string } }>(
      `${base}/:type/:id/_history/:vid`,
      { config: { access: scoped('r') } },
      async (request, reply) =>
        sendStored(
          reply,
          await service
            .session(request.ctx)
            .vreadStored(request.params.type, request.params.id, request.params.vid),
        ),
    );

    app.post<{ Params: TypeParams }>(
      `${base}/:type`,
      { config: { access: scoped('c') } },
      async (request, reply) => {
        const created = await service.session(request.ctx).create(request.params.type, request.body);
        reply.header('location', `${baseUrl(request)}/${created.resourceType}/${created.id}/_history/1`);
        return sendResource(reply, created, 201);
      },
    );

    app.put<{ Params: IdParams }>(
      `${base}/:type/:id`,
      { config: { access: scoped('u') } },
      async (request, reply) => {
        const header = request.headers['if-match'];
        const ifMatch = typeof header === 'string' ? parseETag(header) : undefined;
        const updated = await service
          .session(request.ctx)
          .update(request.params.type, request.params.id, request.body, ifMatch);
        return sendResource(reply, updated);
      },
    );

    app.post<{ Params: { patientId: string } }>(
      '/api/records/patients/:patientId/erase',
      { config: { access: { kind: 'authenticated', roles: ['admin'], mfa: true } } },
      async (request, reply) => {
        await service.shredPatient(request.ctx, request.params.patientId);
        return reply.code(204).send();
      },
    );
  };
}
