import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../../platform/cache/index.ts';
import type { SessionState } from './sessions.ts';

/** Changes (to a fresh random value) after every committed revocation, in any process. */
export const revocationEpochKey = 'identity:session-revocation-epoch';

interface CachedState extends SessionState {
  /** The epoch read before the database read that produced this state. */
  epoch: string;
}

/**
 * The per-request revocation check, made cheap without weakening it. Each process remembers session
 * states it read from the database, tagged with the revocation epoch it saw just before that read; an
 * entry is used only while the shared epoch (one cache GET: in-process memory or Redis) is unchanged.
 *
 * Why this holds on the very next request anywhere: a revocation commits, then writes a new epoch, then
 * answers. A later request reads that epoch (or a newer one); any entry tagged with it was read from the
 * database after the commit. Epochs are random, not counters, so a cache restart or eviction can never
 * make an old entry match again; a missing epoch means "no cache", i.e. a database read.
 */
export function createSessionStateCheck(
  readState: (sessionId: string) => Promise<SessionState | undefined>,
  cache: Cache,
  options: { now?: () => number; maxEntries?: number } = {},
) {
  const now = options.now ?? Date.now;
  const local = new LRUCache<string, CachedState>({ max: options.maxEntries ?? 100_000, ttl: 5 * 60_000 });
  return {
    async isActive(sessionId: string): Promise<boolean> {
      const epoch = await cache.get(revocationEpochKey);
      const cached = epoch === undefined ? undefined : local.get(sessionId);
      let state: SessionState | undefined = cached?.epoch === epoch ? cached : undefined;
      if (!state) {
        const fresh = await readState(sessionId);
        state = fresh ?? { revoked: true, expiresAt: 0 };
        if (epoch !== undefined) local.set(sessionId, { ...state, epoch });
      }
      return !state.revoked && state.expiresAt > now();
    },
    /** Call after the revoking transaction committed and before answering the request. */
    async revoked(): Promise<void> {
      await cache.set(revocationEpochKey, randomUUID());
    },
    /** Makes sure an epoch exists, so the first requests can be cached before any revocation. */
    async ensureEpoch(): Promise<void> {
      if ((await cache.get(revocationEpochKey)) === undefined)
        await cache.set(revocationEpochKey, randomUUID());
    },
  };
}

export type SessionStateCheck = ReturnType<typeof createSessionStateCheck>;
