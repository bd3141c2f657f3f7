import type { FastifyInstance } from 'fastify';
import type { Bus } from '../../platform/bus/index.ts';
import type { Cache } from '../../platform/cache/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { JobHandler, JobQueue } from '../../platform/jobs/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import { createVideoModule, videoJobHandlers, type VideoModule, type VideoModuleDeps } from './module.ts';
import { videoRoutes } from './routes.ts';

/** The parts of the application runtime the video module uses (structural, so modules never import app/). */
export interface VideoRuntime {
  config: {
    keysDir: string;
    dataDir: string;
    db: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  };
  records: Database;
  storage: ObjectStorage;
  jobs: JobQueue;
  bus: Bus;
  cache?: Cache;
  logger: Logger;
  /** The audit ledger's write side; playback grants and refusals are appended to it. */
  auditLog?: AuditLog;
}

export function videoDepsOf(runtime: VideoRuntime, extra: Partial<VideoModuleDeps> = {}): VideoModuleDeps {
  const { db } = runtime.config;
  return {
    records: runtime.records,
    storage: runtime.storage,
    jobs: runtime.jobs,
    bus: runtime.bus,
    cache: runtime.cache,
    logger: runtime.logger,
    keysDir: runtime.config.keysDir,
    databaseIdentity: db.kind === 'postgres' ? db.url : db.dataDir,
    auditLog: runtime.auditLog,
    ...extra,
  };
}

/**
 * Registers the video routes and runs the analytics consumer for as long as the app is open. Returns the
 * module so callers (tests, the demo seed) can reach its services.
 */
export async function registerVideo(
  app: FastifyInstance,
  runtime: VideoRuntime,
  extra: Partial<VideoModuleDeps> = {},
): Promise<VideoModule> {
  const video = await createVideoModule(videoDepsOf(runtime, extra));
  await app.register(videoRoutes(video));
  const stopConsuming = await video.analytics.start();
  const stopEvicting = await video.states.start();
  app.addHook('onClose', async () => {
    await stopConsuming().catch(() => {});
    await stopEvicting().catch(() => {});
  });
  return video;
}

export function videoWorkerHandlers(runtime: VideoRuntime): Record<string, JobHandler> {
  return videoJobHandlers(videoDepsOf(runtime));
}
