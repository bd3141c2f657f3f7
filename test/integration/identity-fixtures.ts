import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { hashPassword, type IdentityDB } from '../../src/modules/identity/index.ts';
import type { Role } from '../../src/platform/context/index.ts';
import type { Database } from '../../src/platform/db/index.ts';

/** Unique per run: Redis (shared by runs and by both backends) keys lockouts by username and IP. */
export const runId = randomBytes(4).toString('hex');

export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export interface FixtureUser {
  id: string;
  username: string;
  password: string;
  totpSecret: string | undefined;
  roles: Role[];
  institution: string;
  practitionerId?: string;
  patientId?: string;
}

let counter = 0;

export async function createInstitutions(
  database: Database,
  institutions: { id: string; name: string }[],
): Promise<void> {
  const db = database.db as Kysely<IdentityDB>;
  await db
    .insertInto('institution')
    .values(institutions)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** A user_account row with an argon2id hash and (for privileged roles by default) a base32 TOTP secret. */
export async function createUser(
  database: Database,
  fields: {
    roles: Role[];
    institution: string;
    withTotp?: boolean;
    practitionerId?: string;
    patientId?: string;
    label?: string;
  },
): Promise<FixtureUser> {
  counter += 1;
  const username = `${fields.label ?? fields.roles[0]}-${runId}-${counter}`;
  const password = `correct horse ${randomBytes(6).toString('hex')}`;
  const privileged = !fields.roles.every((r) => r === 'patient' || r === 'delegate');
  const totpSecret = (fields.withTotp ?? privileged) ? new Secret({ size: 20 }).base32 : undefined;
  const id = `user-${runId}-${counter}`;
  const db = database.db as Kysely<IdentityDB>;
  await db
    .insertInto('user_account')
    .values({
      id,
      username,
      display_name: `Test ${username}`,
      password_hash: await hashPassword(password),
      totp_secret: totpSecret ?? null,
      roles: fields.roles,
      institution_id: fields.institution,
      practitioner_id: fields.practitionerId ?? null,
      patient_id: fields.patientId ?? null,
    })
    .execute();
  return {
    id,
    username,
    password,
    totpSecret,
    roles: fields.roles,
    institution: fields.institution,
    practitionerId: fields.practitionerId,
    patientId: fields.patientId,
  };
}

export async function addDelegation(
  database: Database,
  delegateUserId: string,
  patientId: string,
  relationship: 'parent' | 'guardian' | 'proxy',
) {
  await (database.db as Kysely<IdentityDB>)
    .insertInto('delegation')
    .values({ delegate_user_id: delegateUserId, patient_id: patientId, relationship })
    .execute();
}

/** The TOTP code of the step `offset` steps from now (each step is usable once per user). */
export function totpCode(secret: string, offset = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offset * 30_000,
  });
}

export async function login(app: FastifyInstance, body: Record<string, unknown>, ip = '127.0.0.1') {
  return app.inject({ method: 'POST', url: '/auth/login', payload: body, remoteAddress: ip });
}

/** Signs in (with the current TOTP code when the user has one) and returns the token response. */
export async function signIn(app: FastifyInstance, user: FixtureUser, ip = randomIp()) {
  const response = await login(
    app,
    {
      username: user.username,
      password: user.password,
      ...(user.totpSecret ? { otp: totpCode(user.totpSecret) } : {}),
    },
    ip,
  );
  if (response.statusCode !== 200)
    throw new Error(`sign-in of ${user.username} failed: ${response.statusCode} ${response.body}`);
  return response.json() as {
    access_token: string;
    refresh_token: string;
    scope: string;
    expires_in: number;
    token_type: string;
  };
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

export function form(params: Record<string, string>) {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(params).toString(),
  };
}
