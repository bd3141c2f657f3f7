import type { ApiClient } from './api-client.ts';
import { isRecord, requestJson } from './request-json.ts';

export type Relationship = 'parent' | 'guardian' | 'proxy';

/** `GET /api/me/delegates` (identity module's DelegateSummary / InvitationSummary). */
export interface Delegate {
  id: string;
  name: string;
  relationship: Relationship;
  since: string;
  endsAt: string | null;
  /** The last day included (`YYYY-MM-DD`). */
  endsOn: string | null;
  status: 'active' | 'ended';
}

export interface DelegateInvitation {
  id: string;
  name: string;
  email: string;
  relationship: Relationship;
  endsAt: string | null;
  endsOn: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface DelegateListing {
  delegates: Delegate[];
  invitations: DelegateInvitation[];
  scope: { reads: string; manages: string; excluded: string };
}

export async function listDelegates(api: ApiClient): Promise<DelegateListing> {
  const body = await api.get('/api/me/delegates');
  if (!isRecord(body) || !Array.isArray(body.delegates) || !Array.isArray(body.invitations))
    return { delegates: [], invitations: [], scope: { reads: '', manages: '', excluded: '' } };
  return body as unknown as DelegateListing;
}

export interface NewInvitation {
  name: string;
  email: string;
  relationship: Relationship;
  /** `YYYY-MM-DD`, included; absent: until removed. */
  endsOn?: string;
}

export async function inviteDelegate(
  api: ApiClient,
  invitation: NewInvitation,
): Promise<{ code: string; invitation: DelegateInvitation }> {
  return (await api.send('POST', '/api/me/delegates/invitations', invitation)) as {
    code: string;
    invitation: DelegateInvitation;
  };
}

export async function cancelInvitation(api: ApiClient, id: string): Promise<void> {
  await api.send('DELETE', `/api/me/delegates/invitations/${encodeURIComponent(id)}`);
}

export async function removeDelegate(api: ApiClient, id: string): Promise<void> {
  await api.send('DELETE', `/api/me/delegates/${encodeURIComponent(id)}`);
}

/** Public: the invited person creates their own login with the one-time code. */
export async function acceptInvitation(fields: {
  code: string;
  username: string;
  password: string;
}): Promise<{ username: string; name: string }> {
  return (await requestJson('/auth/delegate-invitations/accept', { json: fields })) as {
    username: string;
    name: string;
  };
}

export const relationshipLabels: Record<Relationship, string> = {
  parent: 'Parent',
  guardian: 'Legal guardian',
  proxy: 'Proxy (family member or carer)',
};

const dayFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** A calendar day (`YYYY-MM-DD`) as the patient chose it, whatever the browser's time zone. */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}
