import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { DelegateInvitationTable, DelegationTable, IdentityKysely } from './db-types.ts';
import { assertAcceptablePassword, hashPassword } from './passwords.ts';
import type { acceptInvitationBody, inviteDelegateBody } from './schemas.ts';
import type { SecurityEventSink } from './security-events.ts';
import type { SessionStore } from './sessions.ts';
import { createAccountStore, type AccountStore, type UserAccount } from './store.ts';

/** How long an invitation code can be used. */
export const invitationLifetimeMs = 7 * 86_400_000;

type Relationship = DelegationTable['relationship'];

/** What a delegate may do, in the words of the `delegate.*` policies (SPEC §3). */
export const delegateAccessScope = {
  reads: 'records, except restricted ones',
  manages: 'sharing settings',
  /** Besides these, a delegate never writes clinical data. */
  excluded: 'restricted records (mental health, HIV, substance use, …)',
} as const;

export interface DelegateSummary {
  /** The delegate's account id: what removal names. */
  id: string;
  name: string;
  relationship: Relationship;
  since: string;
  endsAt: string | null;
  /** The last day included (`YYYY-MM-DD`), as the patient chose it. */
  endsOn: string | null;
  status: 'active' | 'ended';
}

export interface InvitationSummary {
  id: string;
  name: string;
  email: string;
  relationship: Relationship;
  endsAt: string | null;
  endsOn: string | null;
  createdAt: string;
  expiresAt: string;
}

const codeHash = (code: string) => createHash('sha256').update(code.trim()).digest('hex');
const iso = (date: Date | null) => (date ? date.toISOString() : null);
/** An end date (`YYYY-MM-DD`) includes that whole day: access stops at the next midnight UTC. */
const endOfDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000);
const lastDay = (endsAt: Date | null) =>
  endsAt ? new Date(endsAt.getTime() - 86_400_000).toISOString().slice(0, 10) : null;

function invitationSummary(row: Selectable<DelegateInvitationTable>): InvitationSummary {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    relationship: row.relationship,
    endsAt: iso(row.ends_at),
    endsOn: lastDay(row.ends_at),
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

/**
 * A patient's own delegates: list, invite (a one-time code the person redeems for their own login),
 * cancel an invitation, remove. The patient is always the caller's own record, never a request field;
 * removal revokes the delegate's sessions, so their next request no longer carries the delegation.
 * Every change is reported as a `delegation.changed` security event, which the audit bridge appends
 * to the ledger under the patient.
 */
export function createDelegationService(
  db: IdentityKysely,
  identity: {
    accounts: AccountStore;
    sessions: SessionStore;
    onSecurityEvent: SecurityEventSink;
    now: () => number;
  },
) {
  const now = () => new Date(identity.now());

  /** The caller must be a patient with their own record; staff and delegates manage no one's delegates. */
  const ownRecord = async (ctx: RequestContext): Promise<{ user: UserAccount; patientId: string }> => {
    const user = ctx.subject ? await identity.accounts.findById(ctx.subject) : undefined;
    if (!user || user.disabledAt || !user.roles.includes('patient') || !user.patientId)
      throw new AppError('forbidden', 'Only a patient can manage their own delegates', {
        reason: 'not_own_record',
      });
    return { user, patientId: user.patientId };
  };

  const changed = (
    subject: Pick<UserAccount, 'id' | 'roles'>,
    patientId: string,
    reason: string,
    meta: { ip?: string | undefined; requestId?: string | undefined; institution?: string | undefined },
    delegate?: string,
  ) =>
    identity.onSecurityEvent({
      type: 'delegation.changed',
      at: now(),
      subject: subject.id,
      // The actor's roles keep the patient's own changes out of the accounting of disclosures.
      roles: subject.roles,
      patient: patientId,
      delegate,
      institution: meta.institution,
      ip: meta.ip,
      requestId: meta.requestId,
      reason,
    });

  return {
    async list(ctx: RequestContext) {
      const { patientId } = await ownRecord(ctx);
      const at = now();
      const [delegates, invitations] = await Promise.all([
        db
          .selectFrom('delegation')
          .innerJoin('user_account', 'user_account.id', 'delegation.delegate_user_id')
          .select([
            'delegation.delegate_user_id as id',
            'user_account.display_name as name',
            'delegation.relationship',
            'delegation.created_at',
            'delegation.ends_at',
          ])
          .where('delegation.patient_id', '=', patientId)
          .orderBy('delegation.created_at')
          .execute(),
        db
          .selectFrom('delegate_invitation')
          .selectAll()
          .where('patient_id', '=', patientId)
          .where('accepted_at', 'is', null)
          .where('cancelled_at', 'is', null)
          .where('expires_at', '>', at)
          .orderBy('created_at')
          .execute(),
      ]);
      return {
        scope: delegateAccessScope,
        delegates: delegates.map((row): DelegateSummary => ({
          id: row.id,
          name: row.name,
          relationship: row.relationship,
          since: row.created_at.toISOString(),
          endsAt: iso(row.ends_at),
          endsOn: lastDay(row.ends_at),
          status: row.ends_at && row.ends_at <= at ? 'ended' : 'active',
        })),
        invitations: invitations.map(invitationSummary),
      };
    },

    /** Returns the one-time code with the invitation; only its hash is kept. */
    async invite(ctx: RequestContext, input: z.infer<typeof inviteDelegateBody>) {
      const { user, patientId } = await ownRecord(ctx);
      const at = now();
      const endsAt = input.endsOn ? endOfDay(input.endsOn) : null;
      if (endsAt && endsAt <= at)
        throw new AppError('validation_failed', 'The end date must be today or later', {
          issues: [{ path: 'endsOn', message: 'must be today or later' }],
        });
      const code = randomBytes(18).toString('base64url');
      // The ledger entry is appended before the change commits: if it cannot be written, nothing changes.
      const row = await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('delegate_invitation')
          .values({
            id: `inv-${randomUUID()}`,
            code_hash: codeHash(code),
            patient_id: patientId,
            institution_id: user.institutionId,
            invited_by: user.id,
            name: input.name,
            email: input.email,
            relationship: input.relationship,
            ends_at: endsAt,
            expires_at: new Date(at.getTime() + invitationLifetimeMs),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await changed(user, patientId, 'invited', ctx);
        return inserted;
      });
      return {
        code,
        invitation: invitationSummary(row),
      };
    },

    async cancelInvitation(ctx: RequestContext, invitationId: string) {
      const { user, patientId } = await ownRecord(ctx);
      await db.transaction().execute(async (trx) => {
        const cancelled = await trx
          .updateTable('delegate_invitation')
          .set({ cancelled_at: now() })
          .where('id', '=', invitationId)
          .where('patient_id', '=', patientId)
          .where('accepted_at', 'is', null)
          .where('cancelled_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        // Another patient's invitation answers exactly like a missing one.
        if (!cancelled) throw new AppError('not_found', 'Invitation not found');
        await changed(user, patientId, 'invitation_cancelled', ctx);
      });
      return { cancelled: true };
    },

    /** Ends the delegation now: the row goes and every session of the delegate is revoked. */
    async remove(ctx: RequestContext, delegateUserId: string) {
      const { user, patientId } = await ownRecord(ctx);
      await db.transaction().execute(async (trx) => {
        const removed = await trx
          .deleteFrom('delegation')
          .where('delegate_user_id', '=', delegateUserId)
          .where('patient_id', '=', patientId)
          .returning('delegate_user_id')
          .executeTakeFirst();
        if (!removed) throw new AppError('not_found', 'Delegate not found');
        await changed(user, patientId, 'removed', ctx, delegateUserId);
      });
      const revoked = await identity.sessions.revokeAllForUser(delegateUserId, 'delegation_removed');
      return { removed: true, sessionsRevoked: revoked };
    },

    /**
     * Public: the invited person redeems the code for their own login (delegate role, the patient's
     * institution). A used, cancelled or expired code is refused the same way as an unknown one.
     */
    async accept(
      input: z.infer<typeof acceptInvitationBody>,
      meta: { ip?: string | undefined; requestId?: string | undefined },
    ) {
      const invalid = () =>
        new AppError('invalid_grant', 'This invitation code is not valid: it may be used or expired', {
          reason: 'invitation_invalid',
        });
      // The code is checked before any password hashing, so an anonymous caller cannot buy argon2 work.
      const found = await db
        .selectFrom('delegate_invitation')
        .select('id')
        .where('code_hash', '=', codeHash(input.code))
        .where('accepted_at', 'is', null)
        .where('cancelled_at', 'is', null)
        .where('expires_at', '>', now())
        .executeTakeFirst();
      if (!found) throw invalid();
      assertAcceptablePassword(input.password, input.username);
      if (await identity.accounts.usernameTaken(input.username))
        throw new AppError('conflict', 'That username is taken');
      const passwordHash = await hashPassword(input.password);
      const at = now();
      const accepted = await db
        .transaction()
        .execute(async (trx) => {
          // Claimed by a conditional update, so two uses of one code cannot both succeed.
          const invitation = await trx
            .updateTable('delegate_invitation')
            .set({ accepted_at: at })
            .where('code_hash', '=', codeHash(input.code))
            .where('accepted_at', 'is', null)
            .where('cancelled_at', 'is', null)
            .where('expires_at', '>', at)
            .returningAll()
            .executeTakeFirst();
          if (!invitation) throw invalid();
          const delegate = await createAccountStore(trx, identity.now).create({
            username: input.username,
            displayName: invitation.name,
            passwordHash,
            roles: ['delegate'],
            institutionId: invitation.institution_id,
          });
          await trx
            .updateTable('delegate_invitation')
            .set({ accepted_by: delegate.id })
            .where('id', '=', invitation.id)
            .execute();
          await trx
            .insertInto('delegation')
            .values({
              delegate_user_id: delegate.id,
              patient_id: invitation.patient_id,
              relationship: invitation.relationship,
              ends_at: invitation.ends_at,
              invitation_id: invitation.id,
            })
            .execute();
          await changed(delegate, invitation.patient_id, 'accepted', {
            ...meta,
            institution: invitation.institution_id,
          });
          return { delegate, invitation };
        })
        .catch((error: unknown) => {
          // Two people choosing the same username at once: the unique index decides, the loser is told.
          if ((error as { code?: unknown }).code === '23505')
            throw new AppError('conflict', 'That username is taken');
          throw error;
        });
      return { username: accepted.delegate.username, name: accepted.delegate.displayName };
    },
  };
}

export type DelegationService = ReturnType<typeof createDelegationService>;
