import type { Cache, Unsubscribe } from '../../platform/cache/index.ts';
import type { VideoStore } from './store.ts';

/** What serving a file under a valid token needs to know about its video. */
export interface PlaybackState {
  /** Tokens issued at or before this epoch second are refused (the owner revoked playback). */
  revokedBeforeSeconds: number | undefined;
  durationSeconds: number | undefined;
}

/** Cache channel on which a revocation in one process evicts the entry in every other one. */
export const playbackStateChannel = 'video.playback-state.evict';
export const defaultPlaybackStateTtlMs = 5_000;
const maxEntries = 10_000;

/**
 * The ready videos' playback state, cached per process so a segment request costs no database round trip.
 * Revocation stays immediate: `evict` drops the entry here before the revoking request returns and publishes
 * the id so other processes drop theirs; the short TTL bounds staleness if a message is lost. A load that
 * raced an eviction is not stored. Videos that are not ready are never cached (they are re-read each time).
 */
export function createPlaybackStateCache(deps: {
  store: VideoStore;
  cache?: Cache;
  ttlMs?: number;
  now?: () => number;
}) {
  const ttlMs = deps.ttlMs ?? defaultPlaybackStateTtlMs;
  const now = deps.now ?? Date.now;
  const entries = new Map<string, { state: PlaybackState; until: number }>();
  const loading = new Map<string, Promise<PlaybackState | undefined>>();
  let evictions = 0;

  function forget(videoId: string): void {
    evictions += 1;
    entries.delete(videoId);
    loading.delete(videoId);
  }

  async function load(videoId: string): Promise<PlaybackState | undefined> {
    const evictionsAtStart = evictions;
    const video = await deps.store.find(videoId);
    if (!video || video.status !== 'ready') return undefined;
    const revoked = video.tokensRevokedBefore;
    const state: PlaybackState = {
      revokedBeforeSeconds: revoked ? Math.floor(revoked.getTime() / 1000) : undefined,
      durationSeconds: video.durationSeconds,
    };
    if (evictions === evictionsAtStart) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(videoId, { state, until: now() + ttlMs });
    }
    return state;
  }

  return {
    /** The state of a ready video, or undefined when it is missing or not ready. */
    get(videoId: string): Promise<PlaybackState | undefined> {
      const hit = entries.get(videoId);
      if (hit && hit.until > now()) return Promise.resolve(hit.state);
      let pending = loading.get(videoId);
      if (!pending) {
        pending = load(videoId).finally(() => {
          if (loading.get(videoId) === pending) loading.delete(videoId);
        });
        loading.set(videoId, pending);
      }
      return pending;
    },

    /** After the video's row changed in a way playback must see at once (revocation). */
    async evict(videoId: string): Promise<void> {
      forget(videoId);
      await deps.cache?.publish(playbackStateChannel, videoId);
    },

    /** Listens for evictions published by other processes; resolves once listening. */
    async start(): Promise<Unsubscribe> {
      if (!deps.cache) return async () => {};
      return deps.cache.subscribe(playbackStateChannel, forget);
    },
  };
}

export type PlaybackStateCache = ReturnType<typeof createPlaybackStateCache>;
