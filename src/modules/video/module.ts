import type { Bus } from '../../platform/bus/index.ts';
import type { Cache } from '../../platform/cache/index.ts';
import type { RequestContext } from '../../platform/context/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { createJobQueue, type JobHandler, type JobQueue } from '../../platform/jobs/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import type { AuditLog } from '../audit/index.ts';
import { createVideoAnalytics, deploymentTag } from './analytics.ts';
import { createDemoVideosHandler, demoVideosQueue } from './demo-videos.ts';
import { createPlayback } from './playback.ts';
import { createPlaybackStateCache } from './playback-state.ts';
import { loadPlaybackKeyring, type PlaybackKeyring } from './playback-token.ts';
import { createVideoCatalog } from './service.ts';
import { createVideoStore } from './store.ts';
import { createTranscodeHandler, transcodeQueue } from './transcode-job.ts';

export interface VideoModuleDeps {
  records: Database;
  storage: ObjectStorage;
  jobs: JobQueue;
  bus: Bus;
  /** Carries playback revocations to the other processes' state caches (in process without it). */
  cache?: Cache;
  logger: Logger;
  keysDir: string;
  /** Names the analytics consumer (see `deploymentTag`): the records database's URL or data directory. */
  databaseIdentity: string;
  /** When the audit module provides its runtime log, playback grants and refusals are appended to it. */
  auditLog?: AuditLog;
  keyring?: PlaybackKeyring;
  maxUploadBytes?: number;
  playbackTtlSeconds?: number;
  /** x264 preset for the transcode job. */
  preset?: string;
}

/** The video capability wired over the runtime's backends. */
export async function createVideoModule(deps: VideoModuleDeps) {
  const store = createVideoStore(deps.records);
  const keyring = deps.keyring ?? (await loadPlaybackKeyring(deps.keysDir));
  const states = createPlaybackStateCache({ store, cache: deps.cache });
  const catalog = createVideoCatalog({
    store,
    storage: deps.storage,
    jobs: deps.jobs,
    states,
    maxUploadBytes: deps.maxUploadBytes,
  });
  const playback = createPlayback({
    catalog,
    store,
    storage: deps.storage,
    keyring,
    states,
    ttlSeconds: deps.playbackTtlSeconds,
  });
  const analytics = createVideoAnalytics({
    db: store.db,
    bus: deps.bus,
    logger: deps.logger,
    tag: deploymentTag(deps.databaseIdentity),
  });
  return {
    store,
    catalog,
    playback,
    analytics,
    keyring,
    states,
    async recordPlayback(ctx: RequestContext, videoId: string, outcome: 'permit' | 'deny'): Promise<void> {
      if (deps.auditLog) {
        await deps.auditLog.append(ctx, {
          action: 'playback',
          outcome,
          resourceType: 'Video',
          resourceIds: [videoId],
        });
      } else {
        deps.logger.info({ videoId, outcome, subject: ctx.subject, reqId: ctx.requestId }, 'video playback');
      }
    },
  };
}

export type VideoModule = Awaited<ReturnType<typeof createVideoModule>>;

/** The worker's handlers; independent of the HTTP side so `carebase worker` needs no keys. */
export function videoJobHandlers(
  deps: Pick<VideoModuleDeps, 'records' | 'storage' | 'logger' | 'preset'>,
): Record<string, JobHandler> {
  const store = createVideoStore(deps.records);
  return {
    [transcodeQueue]: createTranscodeHandler({
      store,
      storage: deps.storage,
      logger: deps.logger,
      preset: deps.preset,
    }),
    [demoVideosQueue]: createDemoVideosHandler({
      store,
      storage: deps.storage,
      jobs: createJobQueue(deps.records),
    }),
  };
}
