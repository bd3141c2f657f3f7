export {
  systemContext,
  anonymousContext,
  userContext,
  type RequestContext,
  type BreakGlassGrant,
} from './request-context.ts';
export {
  roles,
  clinicalRoles,
  purposesOfUse,
  isRole,
  isPurposeOfUse,
  type Role,
  type PurposeOfUse,
} from './roles.ts';
