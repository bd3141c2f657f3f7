import { ApiError, isRecord, requestJson } from './request-json.ts';

/** `GET /api/me`: who is signed in. */
export interface CurrentUser {
  username: string;
  name: string;
  roles: string[];
  institution: { id: string; name: string };
  practitionerId?: string;
  patientId?: string;
  /** Patients this user acts for as a delegate (parent, guardian, proxy). */
  delegations: { patientId: string; relationship: string }[];
  mfaEnrolled: boolean;
}

export async function fetchCurrentUser(accessToken: string): Promise<CurrentUser> {
  const body = await requestJson('/api/me', { accessToken });
  const user = parseCurrentUser(body);
  if (!user) throw new ApiError(502, 'bad_response', 'The server sent an unexpected profile');
  return user;
}

function parseCurrentUser(body: unknown): CurrentUser | undefined {
  if (!isRecord(body) || !isRecord(body.institution)) return undefined;
  const { username, name, roles, institution, practitionerId, patientId, delegations } = body;
  if (typeof username !== 'string' || typeof name !== 'string') return undefined;
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) return undefined;
  if (typeof institution.id !== 'string' || typeof institution.name !== 'string') return undefined;
  return {
    username,
    name,
    roles,
    institution: { id: institution.id, name: institution.name },
    ...(typeof practitionerId === 'string' ? { practitionerId } : {}),
    ...(typeof patientId === 'string' ? { patientId } : {}),
    delegations: Array.isArray(delegations)
      ? delegations.filter(
          (item): item is { patientId: string; relationship: string } =>
            isRecord(item) && typeof item.patientId === 'string' && typeof item.relationship === 'string',
        )
      : [],
    mfaEnrolled: body.mfaEnrolled === true,
  };
}
