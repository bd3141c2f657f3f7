import type { Role } from '../../platform/context/index.ts';

/**
 * What the identity module reports for the audit ledger (the audit issue subscribes). Never carries a
 * password, code or token.
 */
export type SecurityEventType =
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'mfa.required'
  | 'mfa.failed'
  | 'mfa.enrolled'
  | 'mfa.reset'
  | 'token.issued'
  | 'token.refreshed'
  | 'token.refresh_reuse'
  | 'session.revoked'
  | 'client.authentication_failed'
  | 'access.denied'
  | 'admin.user_changed'
  | 'admin.client_changed'
  /** A patient invited, removed or cancelled a delegate, or an invited person accepted. */
  | 'delegation.changed';

export interface SecurityEvent {
  type: SecurityEventType;
  at: Date;
  subject?: string | undefined;
  username?: string | undefined;
  clientId?: string | undefined;
  sessionId?: string | undefined;
  institution?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
  /** The subject's roles, when the event is an act in a role (a patient managing their delegates). */
  roles?: readonly Role[] | undefined;
  /** The patient whose record the event is about (delegation changes). */
  patient?: string | undefined;
  /** The delegate account a delegation change is about. */
  delegate?: string | undefined;
  /** Machine-readable cause, e.g. `bad_password`, `purpose_not_permitted`. */
  reason?: string | undefined;
}

/**
 * Reports an event. The promise rejects when the event could not be recorded, so a change fails rather
 * than happening unaudited; a refusal reports through `reportRefusal` instead.
 */
export type SecurityEventSink = (event: SecurityEvent) => Promise<void>;

export const ignoreSecurityEvents: SecurityEventSink = async () => {};

/** A sink that logs a failed report before the failure reaches the request that made it. */
export function loggedSink(sink: SecurityEventSink, onError: (error: unknown) => void): SecurityEventSink {
  return async (event) => {
    try {
      await sink(event);
    } catch (error) {
      onError(error);
      throw error;
    }
  };
}

/**
 * Reports an event of a request that is refused either way (a failed login, a denied token): a failure to
 * record it is logged by the sink and does not change the answer.
 */
export function reportRefusal(sink: SecurityEventSink, event: SecurityEvent): void {
  sink(event).catch(() => {});
}
