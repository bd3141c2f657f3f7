import { describe, expect, it } from 'vitest';
import { anonymousContext, userContext, type Role } from '../../platform/context/index.ts';
import { canAssign, canManage, canView, type AudienceFacts } from './access.ts';

const video = (fields: Partial<AudienceFacts>): AudienceFacts => ({
  ownerSubject: 'owner',
  institutionId: 'north',
  audience: 'institution',
  audienceRoles: [],
  assignedPatients: [],
  ...fields,
});
const user = (
  roles: Role[],
  institution: string,
  extra: { patientId?: string; delegations?: string[] } = {},
) => userContext({ requestId: 'r', subject: `u-${roles[0]}-${institution}`, roles, institution, ...extra });

describe('video audiences', () => {
  it('lets anyone see public videos, and anonymous viewers nothing else', () => {
    expect(canView(video({ audience: 'public' }), anonymousContext('r'))).toBe(true);
    for (const audience of ['authenticated', 'roles', 'institution', 'patients'] as const) {
      expect(canView(video({ audience, audienceRoles: ['nurse'] }), anonymousContext('r'))).toBe(false);
    }
  });

  it('keeps institution videos inside the institution', () => {
    expect(canView(video({}), user(['patient'], 'north', { patientId: 'p1' }))).toBe(true);
    expect(canView(video({}), user(['patient'], 'south', { patientId: 'p1' }))).toBe(false);
    expect(canView(video({}), user(['physician'], 'south'))).toBe(false);
  });

  it('shows role videos to those roles only', () => {
    const nurses = video({ audience: 'roles', audienceRoles: ['nurse'], institutionId: 'east' });
    expect(canView(nurses, user(['nurse'], 'south'))).toBe(true);
    expect(canView(nurses, user(['pharmacist'], 'south'))).toBe(false);
  });

  it('shows assigned videos to the assigned patient and their delegates, not to other patients', () => {
    const assigned = video({ audience: 'patients', assignedPatients: ['p1'] });
    expect(canView(assigned, user(['patient'], 'north', { patientId: 'p1' }))).toBe(true);
    expect(canView(assigned, user(['delegate'], 'north', { delegations: ['p1'] }))).toBe(true);
    expect(canView(assigned, user(['patient'], 'north', { patientId: 'p2' }))).toBe(false);
    expect(canView(assigned, user(['admin'], 'south'))).toBe(false);
  });

  it('lets the owner and the institution admin manage, and its clinicians assign', () => {
    const owner = userContext({
      requestId: 'r',
      subject: 'owner',
      roles: ['physician'],
      institution: 'north',
    });
    expect(canManage(video({}), owner)).toBe(true);
    expect(canManage(video({}), user(['admin'], 'north'))).toBe(true);
    expect(canManage(video({}), user(['admin'], 'south'))).toBe(false);
    expect(canManage(video({}), user(['nurse'], 'north'))).toBe(false);
    expect(canAssign(video({}), user(['nurse'], 'north'))).toBe(true);
    expect(canAssign(video({}), user(['nurse'], 'south'))).toBe(false);
    expect(canAssign(video({}), user(['patient'], 'north', { patientId: 'p1' }))).toBe(false);
  });
});
