import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import {
  createHttpServer,
  createMetrics,
  registerHealthRoutes,
  registerMetrics,
  type AccessEnforcer,
} from '../platform/http/index.ts';
import { registerWebUi } from '../platform/http/web-ui.ts';
import { createIdentityService, identityRoutes } from '../modules/identity/index.ts';
import {
  auditRoutes,
  auditSecurityEvents,
  identityActorDirectory,
  registerAuditMetrics,
} from '../modules/audit/index.ts';
import { registerVideo } from '../modules/video/index.ts';
import { authzRoutes, type AccessPolicy } from '../modules/authz/index.ts';
import { createLocalDataKeyRing } from '../modules/keys/index.ts';
import { openAccessPolicy } from './access-policy.ts';
import { compartmentSource, createRecordsService, recordsRoutes } from '../modules/records/index.ts';
import type { Runtime } from './runtime.ts';

export const defaultWebDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export interface BuildAppOptions {
  enforceAccess?: AccessEnforcer;
  webDistDir?: string;
  isShuttingDown?: () => boolean;
  /** The records API's access policy; default: the authz module's Cedar policy over this runtime. */
  accessPolicy?: AccessPolicy;
}

/** The HTTP application over an opened runtime. Never listens: tests use `inject` or call `listen` themselves. */
export async function buildApp(runtime: Runtime, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config } = runtime;
  const identity = await createIdentityService({
    config,
    database: runtime.records,
    cache: runtime.cache,
    logger: runtime.logger,
    onSecurityEvent: auditSecurityEvents(runtime.auditLog),
  });
  const app = createHttpServer({
    logger: runtime.logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    enforceAccess: options.enforceAccess ?? identity.enforceAccess,
  });
  await app.register(identityRoutes(identity));
  await app.register(auditRoutes(runtime.auditLog, { describeActors: identityActorDirectory(identity) }));
  await registerVideo(app, runtime);
  const ownPolicy = options.accessPolicy ? undefined : await openAccessPolicy(runtime);
  if (ownPolicy) app.addHook('onClose', () => ownPolicy.close());
  const records = createRecordsService({
    database: runtime.records,
    policy: options.accessPolicy ?? ownPolicy!,
    audit: runtime.auditLog,
    keys: createLocalDataKeyRing(config.keysDir),
  });
  await app.register(recordsRoutes(records));
  if (ownPolicy) {
    // Break-glass, its review, consent receipts and the de-identified research export.
    await app.register(
      authzRoutes({
        authorization: ownPolicy,
        database: runtime.records,
        researchSource: compartmentSource(records.deps, 'research export: read opted-in records'),
      }),
    );
  }

  registerHealthRoutes(
    app,
    {
      database: () => runtime.records.ping(),
      ledger: () => runtime.audit.ping(),
      cache: () => runtime.cache.ping(),
      bus: () => runtime.bus.ping(),
      storage: () => runtime.storage.ping(),
    },
    { isShuttingDown: options.isShuttingDown },
  );
  const metrics = createMetrics({
    pools: { records: () => runtime.records.poolStats(), audit: () => runtime.audit.poolStats() },
    jobDepth: () => runtime.jobs.depth(),
  });
  registerAuditMetrics(metrics.registry, runtime.auditLog);
  registerMetrics(app, metrics);
  await registerWebUi(app, { distDir: options.webDistDir ?? defaultWebDistDir });

  await app.ready();
  return app;
}
