import type { PurposeOfUse } from '../api/fhir.ts';
import type { RecordCategory } from '../records/record-categories.ts';

/** SPEC §3 baseline: the purposes each clinical role may invoke (BTG is reached through break-glass). */
const purposesByRole: Record<string, PurposeOfUse[]> = {
  physician: ['TREAT', 'ETREAT'],
  nurse: ['TREAT', 'ETREAT'],
  pharmacist: ['TREAT'],
  'lab-technician': ['TREAT'],
  radiology: ['TREAT'],
};

export function purposesFor(roles: readonly string[]): PurposeOfUse[] {
  const purposes = new Set(roles.flatMap((role) => purposesByRole[role] ?? []));
  return purposes.size > 0 ? [...purposes] : ['TREAT'];
}

/** Categories each role may write (SPEC §3 table, `w`). The server decides; this only offers forms. */
const writableByRole: Record<string, RecordCategory[]> = {
  physician: ['labs', 'imaging', 'notes', 'medications', 'summary'],
  nurse: ['labs', 'notes', 'summary'],
  pharmacist: ['medications'],
  'lab-technician': ['labs'],
  radiology: ['imaging'],
};

export function canWrite(roles: readonly string[], category: RecordCategory): boolean {
  return roles.some((role) => writableByRole[role]?.includes(category));
}

/** Roles that may request break-glass access (clinical roles only, SPEC §2). */
export function mayBreakGlass(roles: readonly string[]): boolean {
  return roles.some((role) => role in purposesByRole);
}
