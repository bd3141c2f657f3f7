import { randomUUID } from 'node:crypto';
import { anonymousContext, userContext } from '../../platform/context/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
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
};

/** A security event as a ledger append: the subject (if known) as actor, the event type and reason kept. */
export function securityEventAppend(event: SecurityEvent): Parameters<AuditLog['append']> {
  const requestId = event.requestId ?? randomUUID();
  const ctx = event.subject
    ? userContext({
        requestId,
        subject: event.subject,
        institution: event.institution,
        clientId: event.clientId,
        ip: event.ip,
      })
    : anonymousContext(requestId, { ip: event.ip });
  const detail: Record<string, string> = { event: event.type, at: event.at.toISOString() };
  if (event.username && !event.subject) detail.username = event.username;
  if (event.clientId) detail.client = event.clientId;
  if (event.sessionId) detail.session = event.sessionId;
  return [ctx, { ...mapping[event.type], ...(event.reason ? { reason: event.reason } : {}), detail }];
}

/**
 * Identity's security-event sink, writing each event to the ledger. Identity reports synchronously and
 * after the fact, so a failed append is logged loudly rather than failing the sign-in it describes.
 */
export function auditSecurityEvents(audit: AuditLog, logger: Logger): SecurityEventSink {
  return (event) => {
    audit
      .append(...securityEventAppend(event))
      .catch((error: unknown) =>
        logger.error({ err: error, event: event.type }, 'security event not audited'),
      );
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
