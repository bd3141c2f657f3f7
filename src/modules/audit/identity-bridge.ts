import { randomUUID } from 'node:crypto';
import { anonymousContext, userContext } from '../../platform/context/index.ts';
import type { SecurityEvent, SecurityEventSink } from '../identity/index.ts';
import type { AuditEvent, AuditLog } from './audit-log.ts';
import type { ActorDescription, DescribeActors } from './query/actors.ts';

const mapping: Record<SecurityEvent['type'], Pick<AuditEvent, 'action' | 'outcome'>> = {
  'login.succeeded': { action: 'login', outcome: 'permit' },
  'login.failed': { action: 'login', outcome: 'deny' },
  'login.locked': { action: 'login', outcome: 'deny' },
  'mfa.required': { action: 'login', outcome: 'deny' },
  'mfa.failed': { action: 'login', outcome: 'deny' },
  'mfa.enrolled': { action: 'key-operation', outcome: 'permit' },
  'mfa.reset': { action: 'key-operation', outcome: 'permit' },
  'token.issued': { action: 'token', outcome: 'permit' },
  'token.refreshed': { action: 'token', outcome: 'permit' },
  'token.refresh_reuse': { action: 'token', outcome: 'deny' },
  'session.revoked': { action: 'logout', outcome: 'permit' },
  'client.authentication_failed': { action: 'token', outcome: 'deny' },
  'access.denied': { action: 'token', outcome: 'deny' },
  'admin.user_changed': { action: 'admin', outcome: 'permit' },
  'admin.client_changed': { action: 'admin', outcome: 'permit' },
  'delegation.changed': { action: 'consent-change', outcome: 'permit' },
};

/** A security event as a ledger append: the subject (if known) as actor, the event type and reason kept. */
export function securityEventAppend(event: SecurityEvent): Parameters<AuditLog['append']> {
  const requestId = event.requestId ?? randomUUID();
  const ctx = event.subject
    ? userContext({
        requestId,
        subject: event.subject,
        ...(event.roles ? { roles: [...event.roles] } : {}),
        institution: event.institution,
        clientId: event.clientId,
        ip: event.ip,
      })
    : anonymousContext(requestId, { ip: event.ip });
  const detail: Record<string, string> = { event: event.type, at: event.at.toISOString() };
  if (event.username && !event.subject) detail.username = event.username;
  if (event.clientId) detail.client = event.clientId;
  if (event.sessionId) detail.session = event.sessionId;
  if (event.delegate) detail.delegate = event.delegate;
  return [
    ctx,
    {
      ...mapping[event.type],
      ...(event.patient ? { patientId: event.patient } : {}),
      ...(event.reason ? { reason: event.reason } : {}),
      detail,
    },
  ];
}

/**
 * Identity's security-event sink, writing each event to the ledger. The returned promise rejects when the
 * append fails, so the change it describes fails with it (refusals are reported without waiting).
 */
export function auditSecurityEvents(audit: AuditLog): SecurityEventSink {
  return async (event) => {
    await audit.append(...securityEventAppend(event));
  };
}

interface AccountLookup {
  accounts: {
    findById(id: string): Promise<{ displayName: string; institutionId: string } | undefined>;
    institution(id: string): Promise<{ id: string; name: string } | undefined>;
  };
}

/** Names and institutions of actors through the identity module's account store. */
export function identityActorDirectory(identity: AccountLookup): DescribeActors {
  return async (subjects) => {
    const described = new Map<string, ActorDescription>();
    const institutions = new Map<string, string>();
    for (const subject of subjects) {
      const account = await identity.accounts.findById(subject);
      if (!account) continue;
      let institution = institutions.get(account.institutionId);
      if (institution === undefined) {
        institution =
          (await identity.accounts.institution(account.institutionId))?.name ?? account.institutionId;
        institutions.set(account.institutionId, institution);
      }
      described.set(subject, { name: account.displayName, institution });
    }
    return described;
  };
}
