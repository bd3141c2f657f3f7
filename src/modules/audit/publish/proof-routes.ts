import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../platform/errors/index.ts';
import { consistencyProof, inclusionProof, rootAtSize } from '../merkle/index.ts';
import { single, type QueryString } from '../query/params.ts';
import type { AuditService } from '../service.ts';

const publicAccess = { access: { kind: 'public' } } as const;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A tree size parameter: a non-negative integer no larger than the ledger. */
function treeSize(query: QueryString, name: string, ledgerSize: number): number {
  const value = single(query, name);
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw new AppError('invalid_request', `Query parameter "${name}" must be a non-negative integer`, {
      reason: 'invalid_tree_size',
    });
  }
  const size = Number(value);
  if (size > ledgerSize) {
    throw new AppError('invalid_request', `"${name}" is beyond the ledger's current size`, {
      reason: 'beyond_tree',
    });
  }
  return size;
}

/**
 * The transparency endpoints (SPEC §2 Audit): the latest signed checkpoint (C2SP signed note) and RFC 9162
 * inclusion and consistency proofs. Public: they reveal hashes only, never entry content.
 */
export function registerProofRoutes(app: FastifyInstance, audit: AuditService): void {
  app.get('/audit/checkpoint', { config: publicAccess }, async (_request, reply) => {
    const note = await audit.checkpoints.latestNote();
    if (!note) throw new AppError('not_found', 'No checkpoint has been published yet');
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
  });

  app.get('/audit/proof/inclusion', { config: publicAccess }, async (request) => {
    const query = request.query as QueryString;
    const ledgerSize = await audit.size();
    const size = treeSize(query, 'size', ledgerSize);
    const index = treeSize(query, 'index', ledgerSize);
    const hashes = await inclusionProof(index, size, audit.nodeReader);
    return { index, size, rootHash: b64(await rootAtSize(size, audit.nodeReader)), hashes: hashes.map(b64) };
  });

  app.get('/audit/proof/consistency', { config: publicAccess }, async (request) => {
    const query = request.query as QueryString;
    const ledgerSize = await audit.size();
    const from = treeSize(query, 'from', ledgerSize);
    const to = treeSize(query, 'to', ledgerSize);
    const hashes = await consistencyProof(from, to, audit.nodeReader);
    return { from, to, hashes: hashes.map(b64) };
  });
}
