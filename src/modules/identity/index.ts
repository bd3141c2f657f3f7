export { identityMigrations } from './migrations.ts';
export {
  createIdentityService,
  identityEndpoints,
  firstPartyClientId,
  type IdentityDeps,
  type IdentityService,
  type IdentityEndpoints,
} from './service.ts';
export { identityRoutes } from './routes.ts';
export { createAccessEnforcer, mfaEnrollmentRoutes, type EnforcerDeps } from './enforcer.ts';
export { hashPassword, verifyPassword, argon2Options, passwordRules } from './passwords.ts';
export {
  parseResourceScope,
  scopesCover,
  scopesSatisfyAny,
  narrowScopes,
  describeScope,
  type ResourceScope,
  type ScopeContext,
  type Permission,
} from './scopes.ts';
export {
  purposesFor,
  defaultPurposeFor,
  scopeCeilingFor,
  isPrivileged,
  privilegedRoles,
} from './role-grants.ts';
export {
  registerDemoOAuthClients,
  demoSmartAppClientId,
  demoBackendClientId,
  type DemoOAuthClients,
} from './demo-clients.ts';
export { createSigningKeySet, type SigningKeySet } from './signing-keys.ts';
export { verifyAccessToken, createAccessTokenVerifier, type AccessTokenClaims } from './tokens.ts';
export type { SecurityEvent, SecurityEventSink, SecurityEventType } from './security-events.ts';
export type { IdentityDB } from './db-types.ts';
