import { clinicalRoles, type PurposeOfUse, type Role } from '../../platform/context/index.ts';

/**
 * What each role may ask for at the edge (SPEC §3 baseline). Scopes are a ceiling: the policy engine
 * narrows by category, consent and care relationship, so clinical roles share `user/*.cruds` here.
 */
const scopeCeilingByRole: Record<Role, readonly string[]> = {
  patient: ['patient/*.rs', 'patient/Consent.cu'],
  delegate: ['patient/*.rs', 'patient/Consent.cu'],
  physician: ['user/*.cruds'],
  nurse: ['user/*.cruds'],
  pharmacist: ['user/*.cruds'],
  'lab-technician': ['user/*.cruds'],
  radiology: ['user/*.cruds'],
  billing: ['user/*.rs'],
  researcher: ['user/*.rs'],
  admin: ['user/Organization.rs', 'user/Practitioner.cruds', 'user/PractitionerRole.cruds'],
  'privacy-officer': ['user/AuditEvent.rs'],
};

/** Purposes of use each role may invoke (`pou` claim). Break-glass (BTG) is for clinical roles only. */
const purposesByRole: Record<Role, readonly PurposeOfUse[]> = {
  patient: [],
  delegate: [],
  physician: ['TREAT', 'ETREAT', 'BTG'],
  nurse: ['TREAT', 'ETREAT', 'BTG'],
  pharmacist: ['TREAT', 'BTG'],
  'lab-technician': ['TREAT', 'BTG'],
  radiology: ['TREAT', 'BTG'],
  billing: ['HPAYMT'],
  researcher: ['HRESCH'],
  admin: ['HOPERAT'],
  'privacy-officer': ['HOPERAT'],
};

/** The purpose assumed when a request carries no `X-Purpose-Of-Use`, by priority. */
const defaultPurposeOrder: readonly [Role, PurposeOfUse][] = [
  ...clinicalRoles.map((role) => [role, 'TREAT'] as [Role, PurposeOfUse]),
  ['billing', 'HPAYMT'],
  ['researcher', 'HRESCH'],
  ['admin', 'HOPERAT'],
  ['privacy-officer', 'HOPERAT'],
];

/** Roles that must pass a second factor (SPEC §2): clinicians, admins, privacy officers. */
export const privilegedRoles: readonly Role[] = [...clinicalRoles, 'admin', 'privacy-officer'];

/** Identity and launch scopes (not resource scopes) a user session may hold. */
export const identityScopes = [
  'openid',
  'fhirUser',
  'launch/patient',
  'offline_access',
  'online_access',
] as const;

export function isPrivileged(roles: readonly Role[]): boolean {
  return roles.some((role) => privilegedRoles.includes(role));
}

export function scopeCeilingFor(roles: readonly Role[]): string[] {
  return [...new Set(roles.flatMap((role) => scopeCeilingByRole[role]))];
}

export function purposesFor(roles: readonly Role[]): PurposeOfUse[] {
  return [...new Set(roles.flatMap((role) => purposesByRole[role]))];
}

export function defaultPurposeFor(roles: readonly Role[]): PurposeOfUse | undefined {
  return defaultPurposeOrder.find(([role]) => roles.includes(role))?.[1];
}

/** Patient-facing roles act within a patient compartment (their own record or their delegations). */
export function isPatientFacing(roles: readonly Role[]): boolean {
  return roles.length > 0 && roles.every((role) => role === 'patient' || role === 'delegate');
}
