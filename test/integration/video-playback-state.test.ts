import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaybackStateCache } from '../../src/modules/video/playback-state.ts';
import { createVideoStore, type VideoStore } from '../../src/modules/video/store.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { createInstitutions, runId } from './identity-fixtures.ts';

describe.each(backends)('video playback state cache on $name', (backend) => {
  let t: TestRuntime;
  let store: VideoStore;
  const institution = `vstate-${runId}`;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'video_state');
    store = createVideoStore(t.runtime.records);
    await createInstitutions(t.runtime.records, [{ id: institution, name: 'State Clinic' }]);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function readyVideo(): Promise<string> {
    const id = randomUUID();
    await store.insert({
      id,
      title: 'State',
      description: '',
      tags: [],
      ownerSubject: 'owner',
      institutionId: institution,
      audience: 'public',
      audienceRoles: [],
      uploadTotalBytes: 1,
    });
    return id;
  }

  it('serves repeat lookups from memory, and a revocation in one process at once in every process', async () => {
    const id = await readyVideo();
    // A long TTL, so only an eviction can explain a fresh answer.
    const here = createPlaybackStateCache({ store, cache: t.runtime.cache, ttlMs: 60_000 });
    const there = createPlaybackStateCache({ store, cache: t.runtime.cache, ttlMs: 60_000 });
    const stopHere = await here.start();
    const stopThere = await there.start();
    try {
      expect(await here.get(id)).toBeUndefined(); // not ready: refused, and not cached
      await store.markReady(id, { durationSeconds: 8, width: 640, height: 360 }, []);
      expect(await here.get(id)).toEqual({ revokedBeforeSeconds: undefined, durationSeconds: 8 });
      expect(await there.get(id)).toEqual({ revokedBeforeSeconds: undefined, durationSeconds: 8 });

      // Changed behind the cache's back: still the cached answer (no database round trip).
      const revokedAt = new Date();
      await store.revokeTokens(id, revokedAt);
      expect((await here.get(id))?.revokedBeforeSeconds).toBeUndefined();

      await here.evict(id);
      const expected = Math.floor(revokedAt.getTime() / 1000);
      expect((await here.get(id))?.revokedBeforeSeconds).toBe(expected);
      const deadline = Date.now() + 5_000;
      while ((await there.get(id))?.revokedBeforeSeconds !== expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await there.get(id))?.revokedBeforeSeconds).toBe(expected);
    } finally {
      await stopHere();
      await stopThere();
    }
  });

  it('does not keep a lookup that raced an eviction, and coalesces concurrent lookups', async () => {
    const id = await readyVideo();
    await store.markReady(id, { durationSeconds: 4, width: 640, height: 360 }, []);
    const states = createPlaybackStateCache({ store, ttlMs: 60_000 });
    const racing = states.get(id);
    const joined = states.get(id);
    expect(joined).toBe(racing);
    await store.revokeTokens(id, new Date());
    await states.evict(id);
    expect((await racing)?.revokedBeforeSeconds).toBeUndefined(); // began before the revoke
    expect((await states.get(id))?.revokedBeforeSeconds).toBeGreaterThan(0);
  });
});
