import { clinicalRoles, type RequestContext } from '../../platform/context/index.ts';
import type { Audience } from './db-types.ts';

/** What the audience rules need to know about a video. */
export interface AudienceFacts {
  ownerSubject: string;
  institutionId: string;
  audience: Audience;
  audienceRoles: readonly string[];
  /** Patients a clinician assigned the video to (only read for the `patients` audience). */
  assignedPatients: readonly string[];
}

/** The owner, and administrators of the owning institution, manage a video (edit, assign, analytics, revoke). */
export function canManage(video: AudienceFacts, ctx: RequestContext): boolean {
  if (ctx.kind !== 'user' || !ctx.subject) return false;
  if (ctx.subject === video.ownerSubject) return true;
  return ctx.roles.includes('admin') && ctx.institution === video.institutionId;
}

/** Clinicians of the owning institution may assign a video to their patients. */
export function canAssign(video: AudienceFacts, ctx: RequestContext): boolean {
  if (canManage(video, ctx)) return true;
  return (
    ctx.kind === 'user' &&
    ctx.institution === video.institutionId &&
    ctx.roles.some((role) => clinicalRoles.includes(role))
  );
}

/**
 * Deny by default: a viewer sees a video only when its audience names them. Patients reach a
 * `patients` video only when it was assigned to them (or to someone they are a delegate for).
 */
export function canView(video: AudienceFacts, ctx: RequestContext): boolean {
  if (canAssign(video, ctx)) return true;
  switch (video.audience) {
    case 'public':
      return true;
    case 'authenticated':
      return ctx.kind === 'user';
    case 'roles':
      return ctx.kind === 'user' && ctx.roles.some((role) => video.audienceRoles.includes(role));
    case 'institution':
      return ctx.kind === 'user' && ctx.institution === video.institutionId;
    case 'patients': {
      if (ctx.kind !== 'user') return false;
      const mine = [ctx.patientId, ...ctx.delegations].filter((p): p is string => !!p);
      return mine.some((patient) => video.assignedPatients.includes(patient));
    }
  }
}
