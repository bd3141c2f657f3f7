/**
 * A small, independent reading of SPEC §3 used as the oracle of the property test: written from the spec
 * table and consent rules, sharing no code with the policy module.
 */
export interface RefPrincipal {
  role: string;
  institution: string;
  practitioner: string;
  patient: string;
  delegations: string[];
}

export interface RefRule {
  status: 'active' | 'inactive';
  effect: 'permit' | 'deny';
  actors: string[];
  purposes: string[];
  categories: string[];
  labels: string[];
  research: boolean;
  start?: number;
  end?: number;
}

export interface RefRelationship {
  kind: 'care-team' | 'encounter' | 'order';
  member: string;
  team?: string;
  category?: string;
  active: boolean;
  start?: number;
  end?: number;
}

export interface RefResource {
  type: string;
  patient: string;
  institution: string;
  category: string;
  security: string[];
  renal: boolean;
}

const day = 86_400_000;
const r = 'r';
const w = 'w';
const matrix: Record<string, Record<string, string>> = {
  physician: {
    demographics: 'rw',
    labs: 'rw',
    imaging: 'rw',
    notes: 'rw',
    medications: 'rw',
    summary: 'rw',
    administrative: 'rw',
  },
  nurse: { demographics: r, labs: 'rw', notes: 'rw', medications: r, summary: 'rw', administrative: 'rw' },
  pharmacist: { demographics: r, labs: r, medications: 'rw', summary: r, administrative: r },
  'lab-technician': { demographics: r, labs: 'rw' },
  radiology: { demographics: r, imaging: 'rw' },
  billing: { demographics: r },
};
const purposes: Record<string, string[]> = {
  physician: ['TREAT', 'ETREAT'],
  nurse: ['TREAT', 'ETREAT'],
  pharmacist: ['TREAT'],
  'lab-technician': ['TREAT'],
  radiology: ['TREAT'],
  billing: ['HPAYMT'],
  researcher: ['HRESCH'],
};
const clinical = ['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology'];
const restrictedCodes = ['R', 'V', 'PSY', 'HIV', 'SUD', 'SDV', 'ETH'];

export function referenceAllows(
  p: RefPrincipal,
  purpose: string,
  action: string,
  res: RefResource,
  rules: RefRule[],
  rels: RefRelationship[],
  grant: boolean,
  now: number,
): boolean {
  const reading = ['read', 'search', 'history'].includes(action);
  const writing = ['create', 'update', 'delete'].includes(action);
  const restricted = res.security.filter((s) => restrictedCodes.includes(s));
  if (p.role === 'patient' && res.patient === p.patient)
    return reading || (writing && res.type === 'Consent');
  if (p.role === 'delegate' && p.delegations.includes(res.patient)) {
    return restricted.length === 0 && (reading || (writing && res.type === 'Consent'));
  }
  if (p.role === 'patient' || p.role === 'delegate' || p.role === 'admin' || p.role === 'privacy-officer')
    return false;
  const underGrant = grant && clinical.includes(p.role) && (purpose === 'BTG' || purpose === 'ETREAT');
  if (!(purposes[p.role] ?? []).includes(purpose) && !underGrant) return false;

  // Which relationships hold now for this practitioner.
  const mine = rels.filter((x) => x.member === `Practitioner/${p.practitioner}`);
  const live = (x: RefRelationship) => {
    if (!x.active) return false;
    if (x.kind === 'care-team')
      return (x.start === undefined || x.start <= now) && (x.end === undefined || x.end > now);
    if (x.kind === 'encounter')
      return (x.start === undefined || x.start <= now) && (x.end === undefined || x.end + 30 * day > now);
    const at = x.end ?? x.start;
    return at === undefined || at + 365 * day > now;
  };
  const teams = mine.filter((x) => x.kind === 'care-team' && live(x)).map((x) => x.team);
  const careTeam = mine.some((x) => x.kind === 'care-team' && live(x));
  const encounter = mine.some((x) => x.kind === 'encounter' && live(x));
  const ordered = (c: string) => mine.some((x) => x.kind === 'order' && x.category === c && live(x));

  // Consent provisions that speak to this principal and purpose now.
  const applies = (rule: RefRule) =>
    rule.status === 'active' &&
    (rule.start === undefined || rule.start <= now) &&
    (rule.end === undefined || rule.end > now) &&
    (rule.actors.length === 0 ||
      rule.actors.some(
        (a) =>
          a === `Practitioner/${p.practitioner}` ||
          a === `Organization/${p.institution}` ||
          teams.some((t) => a === `CareTeam/${t}`),
      )) &&
    (rule.purposes.length === 0 || rule.purposes.includes(purpose));
  const treatment = rules.filter((x) => !x.research && applies(x));
  const covers = (x: RefRule) => x.categories.length === 0 || x.categories.includes(res.category);
  const denied = treatment.some((x) => x.effect === 'deny' && x.labels.length === 0 && covers(x));
  const permitted = treatment.some((x) => x.effect === 'permit' && x.labels.length === 0 && covers(x));
  const released = (label: string) =>
    treatment.some((x) => x.effect === 'permit' && x.labels.includes(label)) &&
    !treatment.some((x) => x.effect === 'deny' && x.labels.includes(label));
  const researchRules = rules.filter(
    (x) =>
      x.research &&
      x.status === 'active' &&
      (x.start === undefined || x.start <= now) &&
      (x.end === undefined || x.end > now),
  );
  const optIn =
    researchRules.some((x) => x.effect === 'permit' && x.categories.length === 0) &&
    !researchRules.some((x) => x.effect === 'deny');

  if (p.role === 'researcher') {
    if (action !== 'export' || !optIn) return false;
  } else {
    if (action === 'export') return false;
    const mode = matrix[p.role]?.[res.category] ?? '';
    if (!mode.includes(reading ? r : w)) return false;
    if (p.role === 'pharmacist' && res.category === 'labs' && !res.renal) return false;
    if (writing && res.type === 'Consent') return false;
  }
  const sameInstitution = p.institution === res.institution;
  if (!sameInstitution && !((reading && permitted) || (reading && underGrant))) return false;
  if (sameInstitution && !underGrant) {
    if (['physician', 'nurse', 'pharmacist'].includes(p.role) && !careTeam && !encounter) return false;
    if (
      p.role === 'lab-technician' &&
      ['labs', 'demographics'].includes(res.category) &&
      !careTeam &&
      !encounter &&
      !ordered('labs')
    )
      return false;
    if (
      p.role === 'radiology' &&
      ['imaging', 'demographics'].includes(res.category) &&
      !careTeam &&
      !encounter &&
      !ordered('imaging')
    )
      return false;
  }
  if (!underGrant && denied) return false;
  if (!underGrant && !restricted.every(released)) return false;
  return true;
}
