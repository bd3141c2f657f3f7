import { randomUUID } from 'node:crypto';
import { isRole, type Role } from '../../platform/context/index.ts';
import type { DelegationTable, IdentityKysely } from './db-types.ts';

export interface UserAccount {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  totpSecret: string | undefined;
  roles: Role[];
  institutionId: string;
  practitionerId: string | undefined;
  patientId: string | undefined;
  createdAt: Date;
  disabledAt: Date | undefined;
}

export interface Delegation {
  patientId: string;
  relationship: DelegationTable['relationship'];
  /** When the delegation stops granting anything, if the patient set an end date. */
  endsAt?: Date;
}

type UserRow = {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  totp_secret: string | null;
  roles: string[];
  institution_id: string;
  practitioner_id: string | null;
  patient_id: string | null;
  created_at: Date;
  disabled_at: Date | null;
};

function userOf(row: UserRow): UserAccount {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    totpSecret: row.totp_secret ?? undefined,
    // An unknown role code in the table grants nothing rather than failing the sign-in.
    roles: row.roles.filter(isRole),
    institutionId: row.institution_id,
    practitionerId: row.practitioner_id ?? undefined,
    patientId: row.patient_id ?? undefined,
    createdAt: row.created_at,
    disabledAt: row.disabled_at ?? undefined,
  };
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  institutionId: string;
  practitionerId?: string | undefined;
  patientId?: string | undefined;
}

/** Accounts, delegations and institutions: identity data, not clinical rows. */
export function createAccountStore(db: IdentityKysely, now: () => number = Date.now) {
  return {
    async findByUsername(username: string): Promise<UserAccount | undefined> {
      const row = await db
        .selectFrom('user_account')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row ? userOf(row) : undefined;
    },

    async findById(id: string): Promise<UserAccount | undefined> {
      const row = await db.selectFrom('user_account').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? userOf(row) : undefined;
    },

    /** Scoped lookup for admins: a user of another institution is simply not found. */
    async findInInstitution(id: string, institutionId: string): Promise<UserAccount | undefined> {
      const row = await db
        .selectFrom('user_account')
        .selectAll()
        .where('id', '=', id)
        .where('institution_id', '=', institutionId)
        .executeTakeFirst();
      return row ? userOf(row) : undefined;
    },

    async listInInstitution(institutionId: string): Promise<UserAccount[]> {
      const rows = await db
        .selectFrom('user_account')
        .selectAll()
        .where('institution_id', '=', institutionId)
        .orderBy('username')
        .execute();
      return rows.map(userOf);
    },

    /** The delegations in force now: one past its end date grants nothing. */
    async delegationsOf(userId: string): Promise<Delegation[]> {
      const rows = await db
        .selectFrom('delegation')
        .select(['patient_id', 'relationship', 'ends_at'])
        .where('delegate_user_id', '=', userId)
        .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', new Date(now()))]))
        .orderBy('patient_id')
        .execute();
      return rows.map((r) => ({
        patientId: r.patient_id,
        relationship: r.relationship,
        ...(r.ends_at ? { endsAt: r.ends_at } : {}),
      }));
    },

    async institution(id: string): Promise<{ id: string; name: string } | undefined> {
      return db.selectFrom('institution').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
    },

    async usernameTaken(username: string): Promise<boolean> {
      const row = await db
        .selectFrom('user_account')
        .select('id')
        .where('username', '=', username)
        .executeTakeFirst();
      return !!row;
    },

    async create(user: NewUser): Promise<UserAccount> {
      const id = `u-${randomUUID()}`;
      const row = await db
        .insertInto('user_account')
        .values({
          id,
          username: user.username,
          display_name: user.displayName,
          password_hash: user.passwordHash,
          totp_secret: null,
          roles: user.roles,
          institution_id: user.institutionId,
          practitioner_id: user.practitionerId ?? null,
          patient_id: user.patientId ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return userOf(row);
    },

    async setRoles(id: string, roles: Role[]): Promise<void> {
      await db.updateTable('user_account').set({ roles }).where('id', '=', id).execute();
    },

    async setDisabled(id: string, disabled: boolean): Promise<void> {
      await db
        .updateTable('user_account')
        .set({ disabled_at: disabled ? new Date(now()) : null })
        .where('id', '=', id)
        .execute();
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
