import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { JobQueue } from '../../platform/jobs/index.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import { canAssign, canManage, canView, type AudienceFacts } from './access.ts';
import { formatWebVtt, parseCaptions } from './captions.ts';
import { videoKeys } from './object-keys.ts';
import type { CreateVideoBody } from './schemas.ts';
import type { PlaybackStateCache } from './playback-state.ts';
import type { VideoRow, VideoStore } from './store.ts';
import { transcodeMaxAttempts, transcodeQueue } from './transcode-job.ts';

export const defaultMaxUploadBytes = 2 * 1024 ** 3;
export const maxChunkBytes = 8 * 1024 ** 2;

export interface VideoSummary {
  id: string;
  title: string;
  description: string;
  tags: string[];
  institutionId: string;
  audience: string;
  audienceRoles: string[];
  status: string;
  durationSeconds: number | undefined;
  createdAt: string;
  canManage: boolean;
}

export interface VideoStatusView extends VideoSummary {
  failureReason: string | undefined;
  upload: { totalBytes: number; receivedBytes: number };
  progress: { fraction: number; message: string | undefined } | undefined;
  captions: { language: string; label: string }[];
}

export interface VideoCatalogDeps {
  store: VideoStore;
  storage: ObjectStorage;
  jobs: JobQueue;
  /** Evicted on revocation, so the next segment request sees it. */
  states: PlaybackStateCache;
  maxUploadBytes?: number;
}

export async function audienceFacts(store: VideoStore, video: VideoRow): Promise<AudienceFacts> {
  return {
    ownerSubject: video.ownerSubject,
    institutionId: video.institutionId,
    audience: video.audience,
    audienceRoles: video.audienceRoles,
    assignedPatients: video.audience === 'patients' ? await store.assignedPatients(video.id) : [],
  };
}

/** The same answer for "missing" and "not yours", so ids cannot be probed. */
export function notFound(): AppError {
  return new AppError('not_found', 'No such video.');
}

function summary(video: VideoRow, facts: AudienceFacts, ctx: RequestContext): VideoSummary {
  return {
    id: video.id,
    title: video.title,
    description: video.description,
    tags: video.tags,
    institutionId: video.institutionId,
    audience: video.audience,
    audienceRoles: video.audienceRoles,
    status: video.status,
    durationSeconds: video.durationSeconds,
    createdAt: video.createdAt.toISOString(),
    canManage: canManage(facts, ctx),
  };
}

/** Upload, captions, catalogue, status and assignments. Playback and delivery are in playback.ts. */
export function createVideoCatalog(deps: VideoCatalogDeps) {
  const { store, storage, jobs } = deps;
  const maxUploadBytes = deps.maxUploadBytes ?? defaultMaxUploadBytes;

  async function visible(ctx: RequestContext, id: string) {
    const video = await store.find(id);
    if (!video) throw notFound();
    const facts = await audienceFacts(store, video);
    if (!canView(facts, ctx)) throw notFound();
    return { video, facts };
  }

  async function managed(ctx: RequestContext, id: string) {
    const found = await visible(ctx, id);
    if (!canManage(found.facts, ctx))
      throw new AppError('forbidden', 'Only the owner may change this video.');
    return found;
  }

  return {
    visible,
    maxUploadBytes,

    async create(ctx: RequestContext, body: CreateVideoBody): Promise<{ id: string; maxChunkBytes: number }> {
      if (!ctx.subject || !ctx.institution) throw new AppError('forbidden', 'Uploads need an institution.');
      if (body.sizeBytes > maxUploadBytes) {
        throw new AppError(
          'payload_too_large',
          `Videos are limited to ${Math.floor(maxUploadBytes / 1024 ** 2)} MB.`,
        );
      }
      const id = randomUUID();
      await store.insert({
        id,
        title: body.title,
        description: body.description,
        tags: body.tags,
        ownerSubject: ctx.subject,
        institutionId: ctx.institution,
        audience: body.audience,
        audienceRoles: body.audience === 'roles' ? body.audienceRoles : [],
        uploadTotalBytes: body.sizeBytes,
      });
      return { id, maxChunkBytes };
    },

    /**
     * Stores one chunk at `offset` (resumable: the client asks the status for the offset to resume from).
     * The last chunk queues the transcode job.
     */
    async uploadChunk(ctx: RequestContext, id: string, offset: number, chunk: Buffer) {
      const { video } = await managed(ctx, id);
      if (video.status !== 'uploading') throw new AppError('conflict', 'The upload is already complete.');
      if (offset !== video.uploadReceivedBytes) {
        throw new AppError('conflict', `Resume the upload at byte ${video.uploadReceivedBytes}.`, {
          reason: 'upload_offset_mismatch',
        });
      }
      if (chunk.length === 0) throw new AppError('invalid_request', 'Empty chunk.');
      const end = offset + chunk.length;
      if (end > video.uploadTotalBytes) {
        throw new AppError('payload_too_large', 'The chunk goes past the declared size of the upload.');
      }
      await storage.put(videoKeys.uploadChunk(id, offset), chunk);
      if (!(await store.advanceUpload(id, offset, end))) {
        throw new AppError('conflict', 'Another chunk landed first; ask for the offset again.', {
          reason: 'upload_offset_mismatch',
        });
      }
      if (end < video.uploadTotalBytes) return { receivedBytes: end, status: 'uploading' as const };
      await store.setStatus(id, 'queued');
      const jobId = await jobs.enqueue(
        transcodeQueue,
        { videoId: id },
        { idempotencyKey: `transcode:${id}`, maxAttempts: transcodeMaxAttempts, timeoutMs: 60 * 60_000 },
      );
      await store.setStatus(id, 'queued', { jobId });
      return { receivedBytes: end, status: 'queued' as const };
    },

    async uploadCaptions(ctx: RequestContext, id: string, language: string, label: string, text: string) {
      await managed(ctx, id);
      const cues = parseCaptions(text);
      await storage.put(videoKeys.caption(id, language), Buffer.from(formatWebVtt(cues)), {
        contentType: 'text/vtt; charset=utf-8',
      });
      await store.upsertCaption(id, language, label);
      return { language, label, cues: cues.length };
    },

    async status(ctx: RequestContext, id: string): Promise<VideoStatusView> {
      const { video, facts } = await visible(ctx, id);
      const job = video.jobId ? await jobs.get(video.jobId) : undefined;
      return {
        ...summary(video, facts, ctx),
        failureReason: video.failureReason,
        upload: { totalBytes: video.uploadTotalBytes, receivedBytes: video.uploadReceivedBytes },
        progress:
          video.status === 'ready'
            ? { fraction: 1, message: 'ready' }
            : job?.progress
              ? { fraction: job.progress.fraction, message: job.progress.message }
              : undefined,
        captions: await store.captions(id),
      };
    },

    /** Ready videos the caller may watch, plus the caller's own in any state. */
    async catalogue(ctx: RequestContext): Promise<VideoSummary[]> {
      const mine = [ctx.patientId, ...ctx.delegations].filter((p): p is string => !!p);
      const assigned = await store.videosAssignedTo(mine);
      const result: VideoSummary[] = [];
      for (const video of await store.list(500)) {
        const facts: AudienceFacts = {
          ownerSubject: video.ownerSubject,
          institutionId: video.institutionId,
          audience: video.audience,
          audienceRoles: video.audienceRoles,
          assignedPatients: assigned.get(video.id) ?? [],
        };
        if (!canView(facts, ctx)) continue;
        if (video.status !== 'ready' && !canManage(facts, ctx)) continue;
        result.push(summary(video, facts, ctx));
      }
      return result;
    },

    async assign(ctx: RequestContext, id: string, patientId: string): Promise<void> {
      const { facts } = await visible(ctx, id);
      if (!canAssign(facts, ctx))
        throw new AppError('forbidden', 'Only clinicians of the owning institution assign videos.');
      await store.assign(id, patientId, ctx.subject!);
    },

    async revokePlayback(ctx: RequestContext, id: string): Promise<void> {
      await managed(ctx, id);
      await store.revokeTokens(id, new Date());
      await deps.states.evict(id);
    },
  };
}

export type VideoCatalog = ReturnType<typeof createVideoCatalog>;
