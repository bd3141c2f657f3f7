import type { ApiClient } from './api-client.ts';
import { isRecord } from './request-json.ts';

/** `GET /api/admin/users` rows (identity module's UserSummary). */
export interface ManagedUser {
  id: string;
  username: string;
  name: string;
  roles: string[];
  practitionerId: string | null;
  patientId: string | null;
  disabled: boolean;
  mfaEnrolled: boolean;
  createdAt: string;
}

export const assignableRoles = [
  'physician',
  'nurse',
  'pharmacist',
  'lab-technician',
  'radiology',
  'billing',
  'researcher',
  'admin',
  'privacy-officer',
  'patient',
  'delegate',
] as const;

export async function listUsers(api: ApiClient): Promise<ManagedUser[]> {
  const body = await api.get('/api/admin/users');
  return isRecord(body) && Array.isArray(body.users) ? (body.users as ManagedUser[]) : [];
}

export interface NewUser {
  username: string;
  name: string;
  password: string;
  roles: string[];
  practitionerId?: string;
  patientId?: string;
}

export async function createUser(api: ApiClient, user: NewUser): Promise<ManagedUser> {
  return (await api.send('POST', '/api/admin/users', user)) as ManagedUser;
}

export async function setRoles(api: ApiClient, id: string, roles: string[]): Promise<ManagedUser> {
  return (await api.send('PUT', `/api/admin/users/${encodeURIComponent(id)}/roles`, {
    roles,
  })) as ManagedUser;
}

export async function resetMfa(api: ApiClient, id: string): Promise<ManagedUser> {
  return (await api.send('POST', `/api/admin/users/${encodeURIComponent(id)}/mfa-reset`)) as ManagedUser;
}

export async function setDisabled(api: ApiClient, id: string, disabled: boolean): Promise<ManagedUser> {
  const action = disabled ? 'disable' : 'enable';
  return (await api.send('POST', `/api/admin/users/${encodeURIComponent(id)}/${action}`)) as ManagedUser;
}

/** A one-time password to hand to the invited person; they enroll MFA at first sign-in. */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  const chars = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10, 15)}-${chars.slice(15)}`;
}
