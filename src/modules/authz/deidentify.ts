import { createHmac } from 'node:crypto';

/**
 * HIPAA Safe Harbor de-identification (45 CFR 164.514(b)(2)) of FHIR JSON for research: the 18 identifier
 * kinds are removed (names, geography below state, contact details, record and account numbers, device
 * and network ids, photos, free text that may carry any of them), dates are shifted by a per-patient
 * offset (intervals stay true), ages over 89 are folded, and every id becomes a stable keyed pseudonym.
 */
export interface Deidentifier {
  pseudonym(type: string, id: string): string;
  /** Days added to every date of this patient: stable, 1–365 days either way, never zero. */
  shiftDays(patientId: string): number;
  resource(body: Record<string, unknown>, patientId: string): Record<string, unknown> | undefined;
}

/** Elements dropped wherever they appear: direct identifiers and free text. */
const dropped = new Set([
  'name',
  'telecom',
  'address',
  'identifier',
  'photo',
  'contact',
  'text',
  'display',
  'note',
  'comment',
  'description',
  'conclusion',
  'presentedForm',
  'content',
  'link',
  'extension',
  'modifierExtension',
  'meta',
  'valueString',
  'valueAttachment',
  'url',
  'location',
  'series',
  'udiCarrier',
  'serialNumber',
  'implicitRules',
  'contained',
]);

/** Free-text-only resource types carry nothing usable once de-identified. */
const excludedTypes = new Set([
  'Binary',
  'DocumentReference',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'AuditEvent',
  'Consent',
  'CareTeam',
]);

const fullDate = /^(\d{4})-(\d{2})-(\d{2})(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

export function createDeidentifier(secret: Buffer): Deidentifier {
  const mac = (text: string) => createHmac('sha256', secret).update(text).digest();
  const pseudonym = (type: string, id: string) => mac(`${type}/${id}`).toString('hex').slice(0, 24);
  const shiftDays = (patientId: string) => {
    const n = mac(`shift/${patientId}`).readUInt16BE(0) % 730;
    return n < 365 ? -(n + 1) : n - 364;
  };

  function shift(value: string, days: number): string {
    const m = fullDate.exec(value);
    // Year-only and year-month values keep only the year: Safe Harbor permits years, not finer dates.
    if (!m) return /^\d{4}(-\d{2})?$/.test(value) ? value.slice(0, 4) : value;
    const date = new Date(m[4] ? value : `${value}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return m[4] ? date.toISOString() : date.toISOString().slice(0, 10);
  }

  function walk(value: unknown, days: number, key: string): unknown {
    if (Array.isArray(value)) return value.map((v) => walk(v, days, key)).filter((v) => v !== undefined);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (dropped.has(k)) continue;
        if (k === 'reference' && typeof v === 'string') {
          const m = /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
          if (m) out.reference = `${m[1]}/${pseudonym(m[1]!, m[2]!)}`;
          continue;
        }
        const w = walk(v, days, k);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    if (typeof value === 'string') {
      if (fullDate.test(value) || /^\d{4}-\d{2}$/.test(value)) return shift(value, days);
      // Codes and enumerations stay; anything long enough to be prose is dropped.
      if (key !== 'code' && key !== 'system' && value.length > 64) return undefined;
    }
    return value;
  }

  function resource(body: Record<string, unknown>, patientId: string) {
    const type = String(body.resourceType);
    if (excludedTypes.has(type)) return undefined;
    const days = shiftDays(patientId);
    const out = walk(body, days, '') as Record<string, unknown>;
    out.resourceType = type;
    out.id = pseudonym(type, String(body.id));
    if (type === 'Patient') {
      const birth = typeof body.birthDate === 'string' ? body.birthDate : undefined;
      const age = birth ? (Date.now() - new Date(birth).getTime()) / (365.25 * 86_400_000) : undefined;
      // Ages over 89 are folded into one group; the shifted birth date would betray them.
      if (age !== undefined && age > 89) {
        delete out.birthDate;
        out.extension = [
          { url: 'https://carebase.dev/fhir/StructureDefinition/age-group', valueString: '90+' },
        ];
      }
    }
    out.meta = {
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'PSEUDED' }],
    };
    return out;
  }

  return { pseudonym, shiftDays, resource };
}
