/** Role codes (SPEC §2 Operations). */
export const roles = [
  'patient',
  'delegate',
  'physician',
  'nurse',
  'pharmacist',
  'lab-technician',
  'radiology',
  'billing',
  'researcher',
  'admin',
  'privacy-officer',
] as const;
export type Role = (typeof roles)[number];

export const clinicalRoles: readonly Role[] = [
  'physician',
  'nurse',
  'pharmacist',
  'lab-technician',
  'radiology',
];

/** HL7 v3 ActReason purposes of use accepted in `X-Purpose-Of-Use`. */
export const purposesOfUse = ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'HRESCH', 'PUBHLTH', 'BTG'] as const;
export type PurposeOfUse = (typeof purposesOfUse)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isPurposeOfUse(value: string): value is PurposeOfUse {
  return (purposesOfUse as readonly string[]).includes(value);
}
