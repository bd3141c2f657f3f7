import { describe, expect, it } from 'vitest';
import { createMemoryCache, MemoryCacheStore } from '../../platform/cache/index.ts';
import { createSessionStateCheck, revocationEpochKey } from './session-state.ts';
import type { SessionState } from './sessions.ts';

/** Two "processes" over one shared cache store and one table of session states. */
function setup() {
  const table = new Map<string, SessionState>([['s1', { revoked: false, expiresAt: Date.now() + 60_000 }]]);
  let reads = 0;
  const read = async (id: string) => {
    reads += 1;
    const row = table.get(id);
    return row ? { ...row } : undefined;
  };
  const store = new MemoryCacheStore();
  const a = createSessionStateCheck(read, createMemoryCache({ store }));
  const b = createSessionStateCheck(read, createMemoryCache({ store }));
  const revoke = async (id: string, by: typeof a) => {
    table.set(id, { ...table.get(id)!, revoked: true });
    await by.revoked();
  };
  return { a, b, table, revoke, reads: () => reads, cache: createMemoryCache({ store }) };
}

describe('epoch-validated session state', () => {
  it('reads the database once per session while no revocation happens', async () => {
    const { a, reads } = setup();
    await a.ensureEpoch();
    expect(await a.isActive('s1')).toBe(true);
    expect(await a.isActive('s1')).toBe(true);
    expect(await a.isActive('s1')).toBe(true);
    expect(reads()).toBe(1);
  });

  it('sees a revocation made by another process on the very next check', async () => {
    const { a, b, revoke } = setup();
    await a.ensureEpoch();
    expect(await b.isActive('s1')).toBe(true);
    await revoke('s1', a);
    expect(await b.isActive('s1')).toBe(false);
  });

  it('never trusts cached state when the epoch is missing (cache restarted or evicted)', async () => {
    const { a, table, reads, cache } = setup();
    await a.ensureEpoch();
    expect(await a.isActive('s1')).toBe(true);
    await cache.delete(revocationEpochKey);
    table.set('s1', { ...table.get('s1')!, revoked: true });
    expect(await a.isActive('s1')).toBe(false);
    expect(reads()).toBe(2);
  });

  it('treats unknown and expired sessions as inactive', async () => {
    const { a, table } = setup();
    await a.ensureEpoch();
    expect(await a.isActive('nope')).toBe(false);
    table.set('old', { revoked: false, expiresAt: Date.now() - 1 });
    expect(await a.isActive('old')).toBe(false);
  });
});
