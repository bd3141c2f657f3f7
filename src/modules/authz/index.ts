export type { AccessPolicy, AccessDecision, RecordAction, ResourceFacts } from './access-policy.ts';
export { createAccessPolicy, type Authorization, type AccessPolicyDeps } from './service.ts';
export { authzMigrations } from './migrations.ts';
export { authzRoutes, type AuthzRouteDeps } from './routes.ts';
export { plaintextSource, researchExport, type ResearchSource, type StoredResource } from './research.ts';
export { createDeidentifier, type Deidentifier } from './deidentify.ts';
export { loadPolicySet, defaultPolicyDir, type LoadedPolicySet } from './cedar-engine.ts';
export {
  storedOnlyDelivery,
  type NotificationDelivery,
  type BreakGlassNotification,
} from './notifications.ts';
export { minJustificationLength, type ActiveGrant, type BreakGlassService } from './break-glass.ts';
export { projectStoredResources } from './rebuild.ts';
