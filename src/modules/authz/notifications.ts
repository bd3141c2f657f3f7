import type { Kysely } from 'kysely';
import type { AuthzDB } from './db-types.ts';

export interface BreakGlassNotification {
  id: string;
  grantId: string;
  recipientKind: 'patient' | 'privacy-office';
  /** Patient id, or the institution whose privacy office is told. */
  recipient: string;
  payload: { patientId: string; clinician: string; reason: string; justification: string; expiresAt: string };
}

/**
 * Where stored notifications go (portal inbox, e-mail, pager). The record is written in the grant's
 * transaction first, so a delivery failure never loses a notification: it stays undelivered and visible.
 */
export interface NotificationDelivery {
  deliver(notification: BreakGlassNotification): Promise<void>;
}

/** The built-in channel: the stored row is the patient's and the privacy office's inbox. */
export const storedOnlyDelivery: NotificationDelivery = { deliver: async () => {} };

export async function deliverPending(
  db: Kysely<AuthzDB>,
  delivery: NotificationDelivery,
  grantId: string,
): Promise<void> {
  const rows = await db
    .selectFrom('authz_notification')
    .selectAll()
    .where('grant_id', '=', grantId)
    .where('delivered_at', 'is', null)
    .execute();
  for (const row of rows) {
    const notification: BreakGlassNotification = {
      id: row.id,
      grantId: row.grant_id,
      recipientKind: row.recipient_kind,
      recipient: row.recipient,
      payload: (typeof row.payload === 'string'
        ? JSON.parse(row.payload)
        : row.payload) as BreakGlassNotification['payload'],
    };
    try {
      await delivery.deliver(notification);
      await db
        .updateTable('authz_notification')
        .set((eb) => ({ delivered_at: new Date(), attempts: eb('attempts', '+', 1), last_error: null }))
        .where('id', '=', row.id)
        .execute();
    } catch (error) {
      await db
        .updateTable('authz_notification')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: String(error).slice(0, 500) }))
        .where('id', '=', row.id)
        .execute();
    }
  }
}

export async function notificationsFor(
  db: Kysely<AuthzDB>,
  recipientKind: 'patient' | 'privacy-office',
  recipient: string,
) {
  return db
    .selectFrom('authz_notification')
    .selectAll()
    .where('recipient_kind', '=', recipientKind)
    .where('recipient', '=', recipient)
    .orderBy('created_at', 'desc')
    .execute();
}
