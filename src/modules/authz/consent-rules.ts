import { recordCategorySystem } from '../records/index.ts';
import { arr, codesOf, obj, periodOf, referenceOf, str, type Json } from './fhir-parse.ts';

/** One provision of a FHIR Consent, flattened for matching (nested provisions become their own rules). */
export interface ConsentRule {
  consentId: string;
  seq: number;
  patientId: string;
  status: string;
  effect: 'permit' | 'deny';
  /** `Practitioner/…`, `Organization/…`, `CareTeam/…`; empty = anyone. */
  actors: string[];
  /** ActReason codes; empty = any purpose. */
  purposes: string[];
  /** Record categories; empty = every category. */
  categories: string[];
  /** Confidentiality codes and sensitivity labels the rule names (R, V, PSY, HIV, SUD, SDV, ETH). */
  labels: string[];
  /** A research consent (scope `research` or purpose HRESCH): applies to research only. */
  research: boolean;
  periodStart: Date | undefined;
  periodEnd: Date | undefined;
}

export const restrictedLabels = ['R', 'V', 'PSY', 'HIV', 'SUD', 'SDV', 'ETH'] as const;
const restrictedSet: ReadonlySet<string> = new Set(restrictedLabels);

export function restrictedOf(security: readonly string[]): string[] {
  return security.filter((s) => restrictedSet.has(s));
}

/** FHIR Consent → rules. A provision without a type inherits its parent's; the top level defaults to deny. */
export function consentRules(consent: Json, consentId: string, patientId: string): ConsentRule[] {
  const status = str(consent.status) ?? 'unknown';
  const research = codesOf(consent.scope).some((c) => c.code === 'research');
  const rules: ConsentRule[] = [];
  const walk = (provision: Json | undefined, inherited: 'permit' | 'deny', parent: Partial<ConsentRule>) => {
    if (!provision) return;
    const type = provision.type === 'permit' || provision.type === 'deny' ? provision.type : inherited;
    const period = periodOf(provision.period);
    const purposes = arr(provision.purpose).flatMap((p) => codesOf(p).map((c) => c.code));
    const rule: ConsentRule = {
      consentId,
      seq: rules.length,
      patientId,
      status,
      effect: type,
      actors: arr(provision.actor).flatMap((a) => referenceOf(obj(a)?.reference) ?? []),
      purposes: purposes.length > 0 ? purposes : (parent.purposes ?? []),
      categories: arr(provision.code).flatMap((c) =>
        codesOf(c)
          .filter((x) => x.system === recordCategorySystem)
          .map((x) => x.code),
      ),
      labels: arr(provision.securityLabel).flatMap((l) => codesOf(l).map((c) => c.code)),
      research: research || purposes.includes('HRESCH'),
      periodStart: period.start ?? parent.periodStart,
      periodEnd: period.end ?? parent.periodEnd,
    };
    if (rule.actors.length === 0 && parent.actors) rule.actors = parent.actors;
    rules.push(rule);
    for (const child of arr(provision.provision))
      walk(obj(child), type === 'permit' ? 'deny' : 'permit', rule);
  };
  walk(obj(consent.provision), 'deny', {});
  return rules;
}

/** Who is asking, as consent actors name them. */
export interface ConsentActor {
  practitionerId: string | undefined;
  institution: string | undefined;
  /** CareTeams the practitioner is an active member of, for this patient. */
  careTeams: readonly string[];
}

export interface ConsentView {
  denied: string[];
  permitted: string[];
  permittedLabels: string[];
  researchOptIn: boolean;
}

function covers(rule: ConsentRule, now: Date): boolean {
  return (!rule.periodStart || rule.periodStart <= now) && (!rule.periodEnd || rule.periodEnd > now);
}

function actorMatches(rule: ConsentRule, actor: ConsentActor): boolean {
  if (rule.actors.length === 0) return true;
  return rule.actors.some(
    (a) =>
      (actor.practitionerId !== undefined && a === `Practitioner/${actor.practitionerId}`) ||
      (actor.institution !== undefined && a === `Organization/${actor.institution}`) ||
      actor.careTeams.some((team) => a === `CareTeam/${team}`),
  );
}

/**
 * The consent state that applies to one principal, for one purpose, now: which categories are denied or
 * explicitly permitted and which restricted labels are released. A deny always wins (the policy checks it
 * first); an inactive consent, or one outside its period, counts for nothing.
 */
export function consentView(
  rules: readonly ConsentRule[],
  actor: ConsentActor,
  purpose: string | undefined,
  now: Date,
): ConsentView {
  const denied = new Set<string>();
  const permitted = new Set<string>();
  const labels = new Set<string>();
  let optIn = false;
  let optOut = false;
  for (const rule of rules) {
    if (rule.status !== 'active' || !covers(rule, now)) continue;
    if (rule.research) {
      if (rule.effect === 'permit' && rule.categories.length === 0) optIn = true;
      if (rule.effect === 'deny') optOut = true;
      continue;
    }
    if (!actorMatches(rule, actor)) continue;
    if (rule.purposes.length > 0 && (!purpose || !rule.purposes.includes(purpose))) continue;
    const categories = rule.categories.length > 0 ? rule.categories : ['*'];
    if (rule.effect === 'deny') {
      // A deny that names labels withholds those labels, not the whole category.
      if (rule.labels.length > 0) for (const l of rule.labels) labels.add(`-${l}`);
      else for (const c of categories) denied.add(c);
    } else if (rule.labels.length > 0) {
      for (const l of rule.labels) labels.add(l);
    } else {
      for (const c of categories) permitted.add(c);
    }
  }
  const released = [...labels].filter((l) => !l.startsWith('-') && !labels.has(`-${l}`));
  return {
    denied: [...denied],
    permitted: [...permitted],
    permittedLabels: released,
    researchOptIn: optIn && !optOut,
  };
}
