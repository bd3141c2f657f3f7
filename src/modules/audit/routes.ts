import type { FastifyPluginAsync } from 'fastify';
import { registerProofRoutes } from './publish/proof-routes.ts';
import { registerAccessLogRoutes } from './query/access-log-routes.ts';
import { describeNoActors, type DescribeActors } from './query/actors.ts';
import { registerPrivacyRoutes } from './query/privacy-routes.ts';
import type { AuditService } from './service.ts';

/** Checkpoint and proofs (public), the patient's access log, and the privacy officer's reports. */
export function auditRoutes(
  audit: AuditService,
  options: { describeActors?: DescribeActors } = {},
): FastifyPluginAsync {
  const describeActors = options.describeActors ?? describeNoActors;
  return async (app) => {
    registerProofRoutes(app, audit);
    registerAccessLogRoutes(app, audit, describeActors);
    registerPrivacyRoutes(app, audit, describeActors);
  };
}
