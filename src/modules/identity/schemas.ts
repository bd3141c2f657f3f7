import { z } from 'zod';
import { roles } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { parseResourceScope } from './scopes.ts';

/** `POST /auth/login` (SPEC §2). Lengths are capped so a huge password cannot tie up argon2. */
export const loginBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
  otp: z.string().max(64).optional(),
});

const roleList = z.array(z.enum(roles)).min(1).max(roles.length);
const username = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._@-]*$/, 'lower-case letters, digits and . _ @ - only');
const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id');

export const createUserBody = z.object({
  username,
  name: z.string().min(1).max(200),
  password: z.string().min(1).max(1024),
  roles: roleList,
  practitionerId: fhirId.optional(),
  patientId: fhirId.optional(),
});

export const setRolesBody = z.object({ roles: roleList });

/** `POST /api/me/delegates/invitations`: strict, so a `patientId` (or anything else) is refused, not ignored. */
export const inviteDelegateBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  relationship: z.enum(['parent', 'guardian', 'proxy']),
  endsOn: z.iso.date().optional(),
});

/** `POST /auth/delegate-invitations/accept`: the one-time code and the new login. */
export const acceptInvitationBody = z.strictObject({
  code: z.string().trim().min(10).max(128),
  username,
  password: z.string().min(1).max(1024),
});

export const mfaConfirmBody = z.object({ code: z.string().min(6).max(64) });

const resourceScope = z
  .string()
  .refine((s) => parseResourceScope(s) !== undefined, 'must be a SMART resource scope');
const identityScope = z.enum(['openid', 'fhirUser', 'launch/patient', 'offline_access', 'online_access']);
const httpsOrLoopbackUrl = z.url().refine((value) => {
  const url = new URL(value);
  if (url.hash) return false;
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  );
}, 'must be an https URL (http only on loopback) without a fragment');

const jwk = z
  .record(z.string(), z.unknown())
  .refine((k) => typeof k.kty === 'string' && k.d === undefined, 'must be a public JWK');

export const registerClientBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('public'),
    name: z.string().min(1).max(200),
    redirectUris: z.array(httpsOrLoopbackUrl).min(1).max(10),
    scopes: z
      .array(z.union([resourceScope, identityScope]))
      .min(1)
      .max(50),
  }),
  z
    .object({
      kind: z.literal('backend'),
      name: z.string().min(1).max(200),
      jwks: z.object({ keys: z.array(jwk).min(1).max(10) }).optional(),
      jwksUri: httpsOrLoopbackUrl.optional(),
      scopes: z
        .array(resourceScope.refine((s) => s.startsWith('system/'), 'backend clients get system/ scopes'))
        .min(1)
        .max(50),
      roles: z
        .array(z.enum(roles).refine((r) => r !== 'patient' && r !== 'delegate'))
        .max(5)
        .default([]),
    })
    .refine((c) => (c.jwks ? 1 : 0) + (c.jwksUri ? 1 : 0) === 1, 'give exactly one of jwks and jwksUri'),
]);

/** Parses with zod and turns its issues into the platform's validation error. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new AppError('validation_failed', 'The request is invalid', {
    issues: result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.join('.') : undefined,
      message: issue.message,
    })),
  });
}
