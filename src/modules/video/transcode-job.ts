import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableJobError, type JobHandler } from '../../platform/jobs/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import { autoCaptionLabel, autoCaptionLanguage, detectSpeechEngine, transcribe } from './auto-captions.ts';
import { formatWebVtt } from './captions.ts';
import { MediaToolError, readableToolError } from './ffmpeg-process.ts';
import { contentTypeOf, videoKeys } from './object-keys.ts';
import { probeUpload, RejectedUploadError, type ProbedMedia } from './probe-upload.ts';
import type { RenditionRow, VideoStore } from './store.ts';
import { listOutputFiles, transcodeLadder } from './transcode-ladder.ts';

export const transcodeQueue = 'video.transcode';
export const transcodeMaxAttempts = 3;

export interface TranscodeJobDeps {
  store: VideoStore;
  storage: ObjectStorage;
  logger: Logger;
  /** x264 preset (tests and the demo may trade quality for speed). */
  preset?: string;
  /** Automatic captions when the speech engine is installed and none were uploaded (default true). */
  autoCaptions?: boolean;
}

/**
 * Automatic English captions (see auto-captions.ts) for a video with audio and no captions yet. Returns what
 * happened, for the log; a recogniser failure never fails the transcode.
 */
async function addAutomaticCaptions(
  deps: TranscodeJobDeps,
  videoId: string,
  source: { file: string; probed: ProbedMedia; workDir: string },
  signal: AbortSignal,
): Promise<string> {
  if (deps.autoCaptions === false) return 'disabled';
  if (!source.probed.hasAudio) return 'skipped: no audio';
  if ((await deps.store.captions(videoId)).length > 0) return 'skipped: captions uploaded';
  const engine = await detectSpeechEngine();
  if (!engine.available) return `unavailable: ${engine.reason}`;
  const cues = await transcribe(source.file, source.workDir, {
    durationSeconds: source.probed.durationSeconds,
    signal,
  });
  if (cues.length === 0) return 'no speech recognised';
  // Captions uploaded while the recogniser ran win.
  if ((await deps.store.captions(videoId)).length > 0) return 'skipped: captions uploaded';
  await deps.storage.put(videoKeys.caption(videoId, autoCaptionLanguage), Buffer.from(formatWebVtt(cues)), {
    contentType: 'text/vtt; charset=utf-8',
  });
  await deps.store.upsertCaption(videoId, autoCaptionLanguage, autoCaptionLabel);
  return `added ${cues.length} cues`;
}

async function downloadUpload(storage: ObjectStorage, id: string, file: string): Promise<void> {
  const out = createWriteStream(file);
  try {
    for await (const part of storage.list(videoKeys.uploadPrefix(id))) {
      const { body } = await storage.get(part.key);
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (!out.write(chunk)) await once(out, 'drain');
      }
    }
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
}

/**
 * The `video.transcode` job: assemble the upload, probe it as hostile input, encode the ladder, store the
 * outputs, then record the renditions. A file that is not a usable video ends the job at once as dead
 * with the uploader-readable reason on the video; other failures retry, and the last one marks it failed.
 */
export function createTranscodeHandler(deps: TranscodeJobDeps): JobHandler {
  return async (job) => {
    const { videoId } = job.payload as { videoId: string };
    const video = await deps.store.find(videoId);
    if (!video) throw new UnrecoverableJobError(`video ${videoId} no longer exists`);
    await deps.store.setStatus(videoId, 'processing', { failureReason: null });
    const work = await mkdtemp(path.join(os.tmpdir(), 'carebase-transcode-'));
    try {
      const source = path.join(work, 'source');
      await downloadUpload(deps.storage, videoId, source);
      await job.reportProgress(0.02, 'probing');
      const probed = await probeUpload(source);
      const outDir = path.join(work, 'out');
      const result = await transcodeLadder(source, probed, outDir, {
        signal: job.signal,
        preset: deps.preset,
        onProgress: (fraction) => void job.reportProgress(0.05 + fraction * 0.85, 'encoding'),
      });
      const files = await listOutputFiles(outDir);
      for (const [index, file] of files.entries()) {
        await deps.storage.put(videoKeys.hls(videoId, file), await readFile(path.join(outDir, file)), {
          contentType: contentTypeOf(file),
        });
        if (index % 10 === 0) await job.reportProgress(0.9 + (0.09 * index) / files.length, 'storing');
      }
      await job.reportProgress(0.99, 'captions');
      const captioned = await addAutomaticCaptions(
        deps,
        videoId,
        { file: source, probed, workDir: work },
        job.signal,
      ).catch((error: unknown) => {
        if (job.signal.aborted) throw error;
        deps.logger.warn({ err: error, videoId }, 'automatic captions failed');
        return 'failed';
      });
      deps.logger.info({ videoId, autoCaptions: captioned }, 'automatic captions');
      const renditions: RenditionRow[] = result.renditions.map((r) => ({
        name: r.name,
        kind: 'video',
        width: r.width,
        height: r.height,
        bandwidth: r.variant.peakBitsPerSecond,
        averageBandwidth: r.variant.averageBitsPerSecond,
        codecs: r.variant.codecs,
        frameRate: r.variant.frameRate,
      }));
      if (result.audioOnly) {
        renditions.push({
          name: 'audio',
          kind: 'audio',
          width: undefined,
          height: undefined,
          bandwidth: result.audioOnly.peakBitsPerSecond,
          averageBandwidth: result.audioOnly.averageBitsPerSecond,
          codecs: result.audioOnly.codecs,
          frameRate: undefined,
        });
      }
      await deps.store.markReady(
        videoId,
        { durationSeconds: probed.durationSeconds, width: probed.width, height: probed.height },
        renditions,
      );
      await job.reportProgress(1, 'ready');
    } catch (error) {
      if (error instanceof RejectedUploadError) {
        await deps.store.setStatus(videoId, 'failed', { failureReason: error.message });
        throw new UnrecoverableJobError(error.message);
      }
      const reason =
        error instanceof MediaToolError
          ? `Transcoding failed (${readableToolError(error)}).`
          : 'Transcoding failed.';
      if (job.attempt >= transcodeMaxAttempts && !job.signal.aborted) {
        await deps.store.setStatus(videoId, 'failed', { failureReason: reason });
      } else {
        await deps.store.setStatus(videoId, 'queued');
      }
      deps.logger.warn({ err: error, videoId, attempt: job.attempt }, 'video transcode attempt failed');
      throw error;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };
}
