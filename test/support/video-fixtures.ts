import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';

const run = promisify(execFile);

/**
 * A synthetic clip: moving test pattern plus a sine tone, or with `speech` that sentence spoken by Debian
 * ffmpeg's flite voice, encoded fast (it is the *input* to the ladder).
 */
export async function generateClip(
  file: string,
  options: { seconds?: number; width?: number; height?: number; fps?: number; speech?: string } = {},
): Promise<void> {
  const { seconds = 8, width = 1280, height = 720, fps = 30 } = options;
  const audio = options.speech
    ? `flite=text='${options.speech.replace(/[^A-Za-z ,.]/g, '')}':voice=slt,aresample=48000,apad`
    : `sine=frequency=440:sample_rate=48000:duration=${seconds}`;
  await run('/usr/bin/ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    audio,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-shortest',
    file,
  ]);
}

export async function ffprobeJson(file: string, args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('/usr/bin/ffprobe', ['-v', 'error', '-print_format', 'json', ...args, file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

type Headers = Record<string, string>;

export interface UploadMeta {
  title: string;
  audience: 'public' | 'authenticated' | 'roles' | 'institution' | 'patients';
  audienceRoles?: string[];
  description?: string;
  tags?: string[];
}

/** Creates a video and uploads `bytes` in chunks through the resumable API; returns its id. */
export async function uploadBytes(
  app: FastifyInstance,
  auth: Headers,
  bytes: Buffer,
  meta: UploadMeta,
  chunkBytes = 512 * 1024,
): Promise<string> {
  const created = await app.inject({
    method: 'POST',
    url: '/api/videos',
    headers: auth,
    payload: { ...meta, sizeBytes: bytes.length },
  });
  if (created.statusCode !== 201) throw new Error(`create failed: ${created.statusCode} ${created.body}`);
  const { id } = created.json() as { id: string };
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes));
    const put = await app.inject({
      method: 'PUT',
      url: `/api/videos/${id}/upload`,
      headers: { ...auth, 'content-type': 'application/octet-stream', 'upload-offset': String(offset) },
      payload: chunk,
    });
    if (put.statusCode !== 200) throw new Error(`chunk at ${offset} failed: ${put.statusCode} ${put.body}`);
  }
  return id;
}

export async function uploadFile(app: FastifyInstance, auth: Headers, file: string, meta: UploadMeta) {
  return uploadBytes(app, auth, await readFile(file), meta);
}

/** Polls the status endpoint until the video is ready or failed. */
export async function waitForVideo(
  app: FastifyInstance,
  auth: Headers,
  id: string,
  timeoutMs = 120_000,
): Promise<{ status: string; failureReason?: string; progress?: { fraction: number } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject({ url: `/api/videos/${id}`, headers: auth });
    const body = response.json() as { status: string; failureReason?: string };
    if (body.status === 'ready' || body.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`video ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
