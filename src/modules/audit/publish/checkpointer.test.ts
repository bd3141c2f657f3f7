import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.ts';
import { userContext } from '../../../platform/context/index.ts';
import { migrateToLatest, openDatabase, type Database } from '../../../platform/db/index.ts';
import { createLogger } from '../../../platform/logging/index.ts';
import { createObjectStorage, type ObjectStorage } from '../../../platform/storage/index.ts';
import { generateNoteKeys, parseSignerKey, parseVerifierKey } from '../checkpoint/index.ts';
import { createAuditLedger } from '../ledger/audit-ledger.ts';
import { auditMigrations } from '../ledger/migrations.ts';
import { verifyLedger } from '../verify/verify-ledger.ts';
import { listCheckpointSizes } from './checkpoint-store.ts';
import { createCheckpointer } from './checkpointer.ts';

describe('checkpointer on the embedded ledger (PGlite)', () => {
  let dir: string;
  let database: Database;
  let storage: ObjectStorage;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'carebase-checkpointer-'));
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    await migrateToLatest(database.db as Kysely<unknown>, auditMigrations);
    storage = await createObjectStorage({ kind: 'local', root: path.join(dir, 'objects') });
  });
  afterAll(async () => {
    await storage?.close();
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs a checkpoint every N entries under a load that never lets the ledger go idle', async () => {
    // PGlite commits on this thread without waiting on I/O, and these callers append again as soon as
    // they are answered: a checkpoint that read the size when it finally ran got only the last one.
    const db = database.db as Kysely<unknown>;
    const logger = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));
    const keys = generateNoteKeys('test.carebase/audit');
    const ledger = createAuditLedger({ database, logger, maxBatch: 100 });
    const checkpointer = createCheckpointer({
      ledger,
      db,
      storage,
      signer: parseSignerKey(keys.signerKey),
      logger,
      everyEntries: 500,
      intervalMs: 0,
    });
    const ctx = userContext({
      requestId: 'req-load',
      subject: 'user-1',
      roles: ['physician'],
      purpose: 'TREAT',
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < 3_000) {
          next += 1;
          await ledger.append(ctx, { action: 'read', outcome: 'permit', patientId: `pat-${next % 7}` });
        }
      }),
    );
    await ledger.close();
    await checkpointer.close(); // waits for the checkpoints already due

    const sizes = await listCheckpointSizes(storage);
    expect(sizes.length).toBe(6);
    sizes.forEach((size, i) => {
      const gap = size - (sizes[i - 1] ?? 0);
      expect(gap).toBeGreaterThanOrEqual(500);
      expect(gap).toBeLessThan(500 + 100); // at most one batch past the mark
    });
    const report = await verifyLedger({
      db,
      storage,
      verifier: parseVerifierKey(keys.verifierKey),
      threads: 0,
    });
    expect(report).toMatchObject({ ok: true, entries: 3_000, checkpoints: 6 });
  });
});
