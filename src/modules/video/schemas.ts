import { z } from 'zod';
import { roles } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { audiences } from './db-types.ts';

export const createVideoBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5_000).default(''),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    audience: z.enum(audiences),
    audienceRoles: z.array(z.enum(roles)).max(roles.length).default([]),
    sizeBytes: z.number().int().positive(),
  })
  .strict()
  .refine((body) => body.audience !== 'roles' || body.audienceRoles.length > 0, {
    message: 'audience "roles" needs at least one role in audienceRoles',
    path: ['audienceRoles'],
  });
export type CreateVideoBody = z.infer<typeof createVideoBody>;

export const assignBody = z.object({ patientId: z.string().trim().min(1).max(100) }).strict();

/** One QoE report from the player; values are deltas since its previous beacon. */
export const beaconBody = z
  .object({
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    seq: z.number().int().min(0).max(100_000),
    startupMs: z.number().min(0).max(120_000).optional(),
    watchedSeconds: z.number().min(0).max(120).default(0),
    stallSeconds: z.number().min(0).max(120).default(0),
    switches: z.number().int().min(0).max(100).default(0),
    renditionSeconds: z.record(z.string().regex(/^[a-z0-9]{1,12}$/), z.number().min(0).max(120)).default({}),
  })
  .strict();
export type Beacon = z.infer<typeof beaconBody>;

export const captionLanguage = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new AppError('validation_failed', 'The request body is not valid.', {
    issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}
