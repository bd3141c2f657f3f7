import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../../platform/errors/index.ts';
import type { IdentityKysely } from './db-types.ts';
import { hashSecret } from './sessions.ts';
import type { UserAccount } from './store.ts';
import {
  generateTotpSecret,
  isTotpCode,
  matchTotpStep,
  openTotpSecret,
  sealTotpSecret,
  totpQrDataUrl,
  totpUri,
} from './totp.ts';

const enrollmentTtlMs = 10 * 60_000;
const recoveryCodeCount = 10;

/** `xxxxx-xxxxx` from an unambiguous alphabet; compared after normalization. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface TotpEnrollmentStart {
  secret: string;
  otpauthUri: string;
  qrCode: string;
}

/**
 * TOTP second factor: verification with one-time use of each time step, enrollment (pending secret →
 * confirmed with a code), recovery codes stored hashed and usable once.
 */
export function createMfaService(db: IdentityKysely, masterKey: Buffer, now: () => number = Date.now) {
  /** Records `step` as used unless that step or a later one already was: one atomic upsert. */
  const claimStep = async (userId: string, step: number): Promise<boolean> => {
    const { rows } = await sql<{ user_id: string }>`
      insert into totp_step (user_id, step) values (${userId}, ${step}::bigint)
      on conflict (user_id) do update set step = excluded.step where totp_step.step < excluded.step
      returning user_id`.execute(db);
    return rows.length === 1;
  };

  const useRecoveryCode = async (userId: string, code: string): Promise<boolean> => {
    const normalized = normalizeRecoveryCode(code);
    if (normalized.length !== 10) return false;
    const row = await db
      .updateTable('mfa_recovery_code')
      .set({ used_at: new Date(now()) })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashSecret(normalized))
      .where('used_at', 'is', null)
      .returning('user_id')
      .executeTakeFirst();
    return !!row;
  };

  const replaceRecoveryCodes = async (userId: string): Promise<string[]> => {
    const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_code').where('user_id', '=', userId).execute();
      await trx
        .insertInto('mfa_recovery_code')
        .values(
          codes.map((code) => ({ user_id: userId, code_hash: hashSecret(normalizeRecoveryCode(code)) })),
        )
        .execute();
    });
    return codes;
  };

  return {
    isEnrolled(user: UserAccount): boolean {
      return user.totpSecret !== undefined;
    },

    /** A current TOTP code (never seen before for this user) or an unused recovery code. */
    async verifySecondFactor(user: UserAccount, code: string): Promise<'totp' | 'recovery' | undefined> {
      if (!user.totpSecret) return undefined;
      const trimmed = code.trim();
      if (isTotpCode(trimmed)) {
        const step = matchTotpStep(openTotpSecret(masterKey, user.id, user.totpSecret), trimmed, now());
        return step !== undefined && (await claimStep(user.id, step)) ? 'totp' : undefined;
      }
      return (await useRecoveryCode(user.id, trimmed)) ? 'recovery' : undefined;
    },

    async startEnrollment(user: UserAccount): Promise<TotpEnrollmentStart> {
      if (user.totpSecret) {
        throw new AppError(
          'conflict',
          'A second factor is already enrolled; ask an administrator to reset it first',
        );
      }
      const secret = generateTotpSecret();
      const sealed = sealTotpSecret(masterKey, user.id, secret);
      const expiresAt = new Date(now() + enrollmentTtlMs);
      await db
        .insertInto('mfa_enrollment')
        .values({ user_id: user.id, secret_sealed: sealed, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({ secret_sealed: sealed, expires_at: expiresAt }),
        )
        .execute();
      const otpauthUri = totpUri(secret, user.username);
      return { secret, otpauthUri, qrCode: await totpQrDataUrl(otpauthUri) };
    },

    /** Confirms the pending secret with a code from the app; returns recovery codes, shown once. */
    async confirmEnrollment(user: UserAccount, code: string): Promise<string[]> {
      const pending = await db
        .selectFrom('mfa_enrollment')
        .select(['secret_sealed', 'expires_at'])
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      if (!pending || pending.expires_at.getTime() <= now()) {
        throw new AppError('conflict', 'No enrollment in progress; start again');
      }
      const secret = openTotpSecret(masterKey, user.id, pending.secret_sealed);
      const step = matchTotpStep(secret, code.trim(), now());
      if (step === undefined)
        throw new AppError('validation_failed', 'The code does not match', {
          issues: [{ path: 'code', message: 'does not match' }],
        });
      await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('user_account')
          .set({ totp_secret: pending.secret_sealed })
          .where('id', '=', user.id)
          .where('totp_secret', 'is', null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1)
          throw new AppError('conflict', 'A second factor is already enrolled');
        await trx.deleteFrom('mfa_enrollment').where('user_id', '=', user.id).execute();
        await sql`insert into totp_step (user_id, step) values (${user.id}, ${step}::bigint)
                  on conflict (user_id) do update set step = excluded.step`.execute(trx);
      });
      return replaceRecoveryCodes(user.id);
    },

    /** Admin reset: the user enrolls again at next sign-in. */
    async reset(userId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('user_account').set({ totp_secret: null }).where('id', '=', userId).execute();
        await trx.deleteFrom('mfa_recovery_code').where('user_id', '=', userId).execute();
        await trx.deleteFrom('mfa_enrollment').where('user_id', '=', userId).execute();
        await trx.deleteFrom('totp_step').where('user_id', '=', userId).execute();
      });
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
