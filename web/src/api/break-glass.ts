import type { ApiClient } from './api-client.ts';
import { isRecord } from './request-json.ts';

export interface BreakGlassGrant {
  id: string;
  patient: string;
  expiresAt: string;
}

export const breakGlassReasons = {
  emergency: 'Medical emergency',
  unconscious: 'Patient unable to consent',
  'urgent-care': 'Urgent care, care team unreachable',
} as const;

function toGrant(raw: unknown, patient = ''): BreakGlassGrant | undefined {
  if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.expiresAt !== 'string') return undefined;
  const rawPatient =
    typeof raw.patient === 'string'
      ? raw.patient
      : isRecord(raw.patient)
        ? String(raw.patient.reference ?? '')
        : patient;
  return { id: raw.id, patient: rawPatient.replace(/^Patient\//, ''), expiresAt: raw.expiresAt };
}

export async function startBreakGlass(
  api: ApiClient,
  patient: string,
  justification: string,
  reason: string,
): Promise<BreakGlassGrant> {
  const grant = toGrant(
    await api.send('POST', '/api/break-glass', { patient, justification, reason }),
    patient,
  );
  if (!grant) throw new Error('The server sent an unexpected break-glass answer');
  return grant;
}

export async function activeBreakGlass(api: ApiClient): Promise<BreakGlassGrant[]> {
  const body = await api.get('/api/break-glass/active');
  const items = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.grants) ? body.grants : [];
  return items.map((item) => toGrant(item)).filter((grant): grant is BreakGlassGrant => !!grant);
}

/** One break-glass use for the privacy office's review queue. */
export interface BreakGlassReview {
  id: string;
  at: string;
  clinician: string;
  role: string;
  institution: string;
  patient: string;
  reason: string;
  justification: string;
  expiresAt: string;
  accessCount?: number;
  acknowledged: boolean;
  acknowledgedBy?: string;
  comment?: string;
}

export async function breakGlassReviews(api: ApiClient): Promise<BreakGlassReview[]> {
  const body = await api.get('/api/break-glass/reviews');
  const items = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.reviews)
      ? body.reviews
      : isRecord(body) && Array.isArray(body.entries)
        ? body.entries
        : [];
  return items.filter(isRecord).map(toReview);
}

function toReview(raw: Record<string, unknown>): BreakGlassReview {
  const text = (value: unknown) =>
    typeof value === 'string' ? value : isRecord(value) && typeof value.name === 'string' ? value.name : '';
  const clinician = isRecord(raw.clinician) ? raw.clinician : isRecord(raw.actor) ? raw.actor : {};
  const review = isRecord(raw.review) ? raw.review : raw;
  return {
    id: text(raw.id),
    at: text(raw.at ?? raw.grantedAt ?? raw.createdAt),
    clinician: text(clinician.name ?? raw.clinician),
    role: text(clinician.role),
    institution: text(clinician.institution),
    patient:
      text(raw.patient).replace(/^Patient\//, '') || text(isRecord(raw.patient) ? raw.patient.reference : ''),
    reason: text(raw.reason),
    justification: text(raw.justification),
    expiresAt: text(raw.expiresAt),
    accessCount: typeof raw.accessCount === 'number' ? raw.accessCount : undefined,
    acknowledged: raw.acknowledged === true || typeof review.acknowledgedAt === 'string',
    acknowledgedBy: text(review.acknowledgedBy) || undefined,
    comment: text(review.comment) || undefined,
  };
}

export async function acknowledgeBreakGlass(api: ApiClient, id: string, comment: string): Promise<void> {
  await api.send('POST', `/api/break-glass/${encodeURIComponent(id)}/acknowledge`, { comment });
}

/** Accesses made under each grant (`GET /api/audit/break-glass`), with the clinician's name. */
export async function breakGlassAccesses(
  api: ApiClient,
): Promise<Map<string, { count: number; name: string; role: string; institution: string }>> {
  const body = await api.get('/api/audit/break-glass?limit=1000');
  const byGrant = new Map<string, { count: number; name: string; role: string; institution: string }>();
  const entries = isRecord(body) && Array.isArray(body.entries) ? body.entries.filter(isRecord) : [];
  for (const entry of entries) {
    if (typeof entry.grantId !== 'string') continue;
    const actor = isRecord(entry.actor) ? entry.actor : {};
    const known = byGrant.get(entry.grantId);
    byGrant.set(entry.grantId, {
      count: (known?.count ?? 0) + 1,
      name: String(actor.name ?? ''),
      role: String(actor.role ?? ''),
      institution: String(actor.institution ?? ''),
    });
  }
  return byGrant;
}
