import { arr, codesOf, dateOf, intersect, obj, periodOf, referenceOf, str, type Json } from './fhir-parse.ts';

/** A projected care relationship between a practitioner and a patient (SPEC §3 "care relationship"). */
export interface CareRelationship {
  sourceType: string;
  sourceId: string;
  seq: number;
  patientId: string;
  kind: 'care-team' | 'encounter' | 'order';
  /** `Practitioner/<id>`. */
  member: string;
  /** Orders only: the category the practitioner performs or interprets (labs, imaging). */
  category: string | undefined;
  careTeamId: string | undefined;
  /** The source's status allows the relationship (CareTeam active, Encounter not cancelled, …). */
  active: boolean;
  periodStart: Date | undefined;
  periodEnd: Date | undefined;
}

export interface RelationshipWindows {
  /** How long an encounter's participants keep access after it ends (follow-up). */
  encounterFollowUpMs: number;
  /** How long an order keeps its performer/interpreter related to the patient. */
  orderMs: number;
}

export const defaultWindows: RelationshipWindows = {
  encounterFollowUpMs: 30 * 86_400_000,
  orderMs: 365 * 86_400_000,
};

const practitioner = (ref: string | undefined) => (ref?.startsWith('Practitioner/') ? ref : undefined);

const labCategoryCodes = new Set(['108252007', 'laboratory', 'LAB']);
const imagingCategoryCodes = new Set(['363679005', 'imaging', 'RAD']);

/** Which relationships a written resource establishes; `category` is the one derived by the records service. */
export function careRelationships(
  resource: Json & { resourceType: string; id: string },
  patientId: string,
  category: string,
): CareRelationship[] {
  const base = { sourceType: resource.resourceType, sourceId: resource.id, patientId };
  const out: CareRelationship[] = [];
  const add = (r: Omit<CareRelationship, 'sourceType' | 'sourceId' | 'patientId' | 'seq'>) =>
    out.push({ ...base, seq: out.length, ...r });
  const status = str(resource.status);
  switch (resource.resourceType) {
    case 'CareTeam': {
      const team = periodOf(resource.period);
      for (const p of arr(resource.participant)) {
        const member = practitioner(referenceOf(obj(p)?.member));
        if (!member) continue;
        const period = intersect(team, periodOf(obj(p)?.period));
        add({
          kind: 'care-team',
          member,
          category: undefined,
          careTeamId: resource.id,
          active: status === 'active',
          periodStart: period.start,
          periodEnd: period.end,
        });
      }
      break;
    }
    case 'Encounter': {
      const whole = periodOf(resource.period);
      const live = status !== 'cancelled' && status !== 'entered-in-error';
      for (const p of arr(resource.participant)) {
        const member = practitioner(referenceOf(obj(p)?.individual));
        if (!member) continue;
        const period = intersect(whole, periodOf(obj(p)?.period));
        add({
          kind: 'encounter',
          member,
          category: undefined,
          careTeamId: undefined,
          active: live,
          ...spanOf(period),
        });
      }
      break;
    }
    case 'ServiceRequest': {
      const codes = arr(resource.category).flatMap((c) => codesOf(c).map((x) => x.code));
      const ordered = codes.some((c) => labCategoryCodes.has(c))
        ? 'labs'
        : codes.some((c) => imagingCategoryCodes.has(c))
          ? 'imaging'
          : category;
      const live = !['revoked', 'entered-in-error'].includes(status ?? '');
      const when = dateOf(resource.authoredOn);
      for (const ref of arr(resource.performer)) {
        const member = practitioner(referenceOf(ref));
        if (member)
          add({
            kind: 'order',
            member,
            category: ordered,
            careTeamId: undefined,
            active: live,
            periodStart: when,
            periodEnd: when,
          });
      }
      break;
    }
    case 'DiagnosticReport':
    case 'Observation':
    case 'ImagingStudy': {
      if (category !== 'labs' && category !== 'imaging') break;
      const live = status !== 'entered-in-error' && status !== 'cancelled';
      const when =
        dateOf(resource.issued) ??
        dateOf(resource.effectiveDateTime) ??
        dateOf(resource.started) ??
        undefined;
      const refs = [
        ...arr(resource.performer).map((p) => referenceOf(p) ?? referenceOf(obj(p)?.actor)),
        ...arr(resource.resultsInterpreter).map((p) => referenceOf(p)),
        ...arr(resource.interpreter).map((p) => referenceOf(p)),
        ...arr(resource.series).flatMap((s) => arr(obj(s)?.performer).map((p) => referenceOf(obj(p)?.actor))),
      ];
      for (const member of new Set(refs.map(practitioner))) {
        if (member)
          add({
            kind: 'order',
            member,
            category,
            careTeamId: undefined,
            active: live,
            periodStart: when,
            periodEnd: when,
          });
      }
      break;
    }
  }
  return out;
}

function spanOf(period: { start: Date | undefined; end: Date | undefined }) {
  return { periodStart: period.start, periodEnd: period.end };
}

export interface RelationshipView {
  careTeam: boolean;
  encounter: boolean;
  ordered: string[];
  ended: boolean;
  /** CareTeams the practitioner is an active member of (consent actors may name them). */
  careTeams: string[];
}

/** The relationships one practitioner has with the patient now; windows extend encounters and orders. */
export function relationshipView(
  rows: readonly CareRelationship[],
  practitionerId: string | undefined,
  now: Date,
  windows: RelationshipWindows = defaultWindows,
): RelationshipView {
  const view: RelationshipView = {
    careTeam: false,
    encounter: false,
    ordered: [],
    ended: false,
    careTeams: [],
  };
  if (!practitionerId) return view;
  const member = `Practitioner/${practitionerId}`;
  const ordered = new Set<string>();
  let any = false;
  for (const row of rows) {
    if (row.member !== member) continue;
    any = true;
    const started = !row.periodStart || row.periodStart <= now || row.kind === 'order';
    const grace =
      row.kind === 'encounter' ? windows.encounterFollowUpMs : row.kind === 'order' ? windows.orderMs : 0;
    const end = row.periodEnd ?? (row.kind === 'order' ? row.periodStart : undefined);
    const current = row.active && started && (!end || end.getTime() + grace > now.getTime());
    if (!current) continue;
    if (row.kind === 'care-team') {
      view.careTeam = true;
      if (row.careTeamId) view.careTeams.push(row.careTeamId);
    } else if (row.kind === 'encounter') view.encounter = true;
    else if (row.category) ordered.add(row.category);
  }
  view.ordered = [...ordered];
  view.ended = any && !view.careTeam && !view.encounter && ordered.size === 0;
  return view;
}
