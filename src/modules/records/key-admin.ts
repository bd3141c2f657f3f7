import { systemContext, type RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { rotateKeyEncryptionKeys, shredPatientKey } from '../keys/index.ts';
import type { RecordsDeps } from './access.ts';
import { assertFhirId } from './validation.ts';
import { inWriteTransaction } from './write.ts';

/** What key administration needs: no access policy (these are not clinical reads), always the ledger. */
export type KeyAdminDeps = Pick<RecordsDeps, 'database' | 'keys' | 'audit'>;

/**
 * Crypto-shreds a patient's data key (erasure where law allows). An administrative act on keys, not a
 * clinical read: the caller (admin route with MFA, or the CLI) has been checked, the key row is reached under
 * an explicit system context, and the audit entry names the caller.
 */
export async function shredPatient(
  deps: KeyAdminDeps,
  ctx: RequestContext,
  patientId: string,
): Promise<boolean> {
  assertFhirId(patientId);
  const keyCtx = systemContext(`crypto-shred requested by ${ctx.subject ?? 'unknown'}`, ctx.requestId);
  const shredded = await inWriteTransaction(deps, keyCtx, (trx) => shredPatientKey(trx, patientId));
  await deps.audit.append(ctx, {
    action: 'key-operation',
    outcome: shredded ? 'permit' : 'error',
    patientId,
    reason: shredded ? 'crypto_shred' : 'no_key',
    detail: { operation: 'shred' },
  });
  if (!shredded) throw new AppError('not_found', 'No data key for this patient');
  return shredded;
}

/** Re-wraps every data key (optionally under a fresh KEK version per institution), online; audited. */
export async function rotateKeys(
  deps: KeyAdminDeps,
  ctx: RequestContext,
  options: { newKek?: boolean } = {},
): Promise<{ institutions: number; rewrapped: number }> {
  const keyCtx =
    ctx.kind === 'system'
      ? ctx
      : systemContext(`key rotation requested by ${ctx.subject ?? 'unknown'}`, ctx.requestId);
  const result = await rotateKeyEncryptionKeys(deps.database, deps.keys, keyCtx, options);
  await deps.audit.append(ctx, {
    action: 'key-operation',
    outcome: 'permit',
    reason: 'kek_rotation',
    detail: { operation: 'rotate', newKek: Boolean(options.newKek), rewrapped: result.rewrapped },
  });
  return result;
}
