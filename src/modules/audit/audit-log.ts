import type { RequestContext } from '../../platform/context/index.ts';

/** What was done. Logins and key operations are audited too, not only clinical reads. */
export type AuditAction =
  | 'read'
  | 'vread'
  | 'search'
  | 'history'
  | 'create'
  | 'update'
  | 'delete'
  | 'export'
  | 'login'
  | 'logout'
  | 'token'
  | 'consent-change'
  | 'break-glass-grant'
  | 'break-glass-review'
  | 'key-operation'
  | 'admin'
  | 'playback';

/**
 * One audit record as a module reports it. Who, where and why (subject, roles, institution, client, IP,
 * user agent, purpose, break-glass grant) come from the RequestContext, never from the caller's fields.
 */
export interface AuditEvent {
  action: AuditAction;
  outcome: 'permit' | 'deny' | 'error';
  patientId?: string;
  resourceType?: string;
  /** Every resource id returned or touched: searches list the ids they returned. */
  resourceIds?: readonly string[];
  category?: string;
  sensitivity?: readonly string[];
  /** Policy ids that decided, and a machine-readable reason code. */
  policyIds?: readonly string[];
  reason?: string;
  /** Free-form, non-PHI detail (e.g. `{"query":"Observation?code=…"}` minus values), kept small. */
  detail?: Record<string, string | number | boolean>;
  /**
   * The break-glass grant this event is about when the context does not carry it yet (the grant itself,
   * its review). Accesses made under a grant are flagged from `ctx.breakGlass` without this.
   */
  breakGlass?: { grantId: string; justification: string; expiresAt?: Date };
}

/**
 * The ledger's write side as other modules see it. `append` resolves only once the entry is durable;
 * a rejection means the request must fail (fail closed: no unaudited access).
 */
export interface AuditLog {
  append(ctx: RequestContext, event: AuditEvent): Promise<{ index: number }>;
}
