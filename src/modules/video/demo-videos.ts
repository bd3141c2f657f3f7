import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.ts';
import { createJobQueue, type JobHandler, type JobQueue } from '../../platform/jobs/index.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import { formatWebVtt } from './captions.ts';
import type { Audience } from './db-types.ts';
import { ffmpegPath, MediaToolError, readableToolError, runMediaTool } from './ffmpeg-process.ts';
import { videoKeys } from './object-keys.ts';
import type { VideoStore } from './store.ts';
import { transcodeMaxAttempts, transcodeQueue } from './transcode-job.ts';

export const demoVideosQueue = 'video.seed-demo';

/** Who owns and who is assigned the demo tutorials (from the demo logins). */
export interface DemoVideoPeople {
  owners: { institution: string; subject: string }[];
  /** One demo patient per institution receives the assigned tutorial. */
  patients: { institution: string; patientId: string }[];
}

interface Tutorial {
  slug: string;
  title: string;
  description: string;
  audience: Audience;
  audienceRoles: string[];
  /** lavfi source: each tutorial looks different. */
  pattern: string;
  tone: number;
  captions: string[];
}

const tutorials: Tutorial[] = [
  {
    slug: 'hand-hygiene',
    title: 'Hand hygiene in six steps',
    description: 'How to wash your hands properly, for patients and visitors.',
    audience: 'public',
    audienceRoles: [],
    pattern: 'testsrc2',
    tone: 440,
    captions: ['Wet your hands and apply soap.', 'Rub palm to palm, then the backs of your hands.'],
  },
  {
    slug: 'inhaler',
    title: 'Using your inhaler',
    description: 'Assigned by your care team: the steps of a metered-dose inhaler.',
    audience: 'patients',
    audienceRoles: [],
    pattern: 'smptehdbars',
    tone: 523,
    captions: ['Shake the inhaler and breathe out.', 'Press once while breathing in slowly.'],
  },
  {
    slug: 'insulin-pen',
    title: 'Insulin pen technique',
    description: 'Refresher for nursing staff.',
    audience: 'roles',
    audienceRoles: ['nurse', 'physician'],
    pattern: 'testsrc',
    tone: 330,
    captions: ['Prime the pen with two units.', 'Hold for ten seconds after injecting.'],
  },
];

/** A stable UUID-shaped id, so running the demo seed again finds the same videos. */
function demoVideoId(institution: string, slug: string): string {
  const hex = createHash('sha256').update(`carebase-demo-video:${institution}:${slug}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Called by the demo seed: queues one background job that generates the tutorial clips with ffmpeg and
 * uploads them, so seeding stays fast. Without ffmpeg there are simply no demo videos.
 */
export async function queueDemoVideos(
  database: Database,
  users: readonly { id: string; roles: readonly string[]; institution: string; patientId?: string }[],
): Promise<void> {
  const people: DemoVideoPeople = {
    owners: users
      .filter((u) => u.roles.includes('physician'))
      .map((u) => ({ institution: u.institution, subject: u.id })),
    patients: users
      .filter((u) => u.roles.includes('patient') && u.patientId)
      .map((u) => ({ institution: u.institution, patientId: u.patientId! })),
  };
  if (!existsSync(ffmpegPath) || people.owners.length === 0) return;
  // Seeding also runs against databases migrated without the job queue or video tables (e.g. seed tests).
  const { rows } = await sql<{ ready: boolean }>`
    select to_regclass('job') is not null and to_regclass('video') is not null as ready`.execute(database.db);
  if (!rows[0]?.ready) return;
  await createJobQueue(database).enqueue(demoVideosQueue, people, {
    idempotencyKey: 'demo-videos',
    maxAttempts: 2,
    priority: -1,
  });
}

async function generateClip(file: string, tutorial: Tutorial): Promise<void> {
  try {
    await runMediaTool(ffmpegPath, [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `${tutorial.pattern}=size=1280x720:rate=30`],
      ...['-f', 'lavfi', '-i', `sine=frequency=${tutorial.tone}:sample_rate=48000`, '-t', '12'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', file],
    ]);
  } catch (error) {
    if (error instanceof MediaToolError)
      throw new Error(`demo clip ${tutorial.slug}: ${readableToolError(error)}`, { cause: error });
    throw error;
  }
}

/** The job: per tutorial, generate a 12 s clip with a tone and captions, store it as an upload, queue its transcode. */
export function createDemoVideosHandler(deps: {
  store: VideoStore;
  storage: ObjectStorage;
  jobs: JobQueue;
}): JobHandler {
  return async (job) => {
    const people = job.payload as DemoVideoPeople;
    const work = await mkdtemp(path.join(os.tmpdir(), 'carebase-demo-videos-'));
    try {
      for (const owner of people.owners.slice(0, 1)) {
        for (const [index, tutorial] of tutorials.entries()) {
          const id = demoVideoId(owner.institution, tutorial.slug);
          if (await deps.store.find(id)) continue;
          const file = path.join(work, `${tutorial.slug}.mp4`);
          await generateClip(file, tutorial);
          const bytes = await readFile(file);
          await deps.storage.put(videoKeys.uploadChunk(id, 0), bytes);
          await deps.store.insert({
            id,
            title: tutorial.title,
            description: tutorial.description,
            tags: ['tutorial'],
            ownerSubject: owner.subject,
            institutionId: owner.institution,
            audience: tutorial.audience,
            audienceRoles: tutorial.audienceRoles,
            uploadTotalBytes: bytes.length,
          });
          await deps.store.advanceUpload(id, 0, bytes.length);
          const cues = tutorial.captions.map((text, i) => ({
            startMs: i * 5000 + 500,
            endMs: i * 5000 + 4500,
            text,
          }));
          await deps.storage.put(videoKeys.caption(id, 'en'), Buffer.from(formatWebVtt(cues)), {
            contentType: 'text/vtt; charset=utf-8',
          });
          await deps.store.upsertCaption(id, 'en', 'English');
          for (const patient of people.patients) {
            if (tutorial.audience === 'patients' && patient.institution === owner.institution) {
              await deps.store.assign(id, patient.patientId, owner.subject);
            }
          }
          const jobId = await deps.jobs.enqueue(
            transcodeQueue,
            { videoId: id },
            { idempotencyKey: `transcode:${id}`, maxAttempts: transcodeMaxAttempts },
          );
          await deps.store.setStatus(id, 'queued', { jobId });
          await job.reportProgress((index + 1) / tutorials.length, tutorial.slug);
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };
}
