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
  | 'admin.client_changed';

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
  /** Machine-readable cause, e.g. `bad_password`, `purpose_not_permitted`. */
  reason?: string | undefined;
}

export type SecurityEventSink = (event: SecurityEvent) => void;

export const ignoreSecurityEvents: SecurityEventSink = () => {};

/** A sink that never throws into the request that reported the event. */
export function safeSink(sink: SecurityEventSink, onError: (error: unknown) => void): SecurityEventSink {
  return (event) => {
    try {
      sink(event);
    } catch (error) {
      onError(error);
    }
  };
}
