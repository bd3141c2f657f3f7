import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/index.ts';
import type { Audience, VideoDB, VideoStatus } from './db-types.ts';

export interface VideoRow {
  id: string;
  title: string;
  description: string;
  tags: string[];
  ownerSubject: string;
  institutionId: string;
  audience: Audience;
  audienceRoles: string[];
  status: VideoStatus;
  failureReason: string | undefined;
  jobId: string | undefined;
  uploadTotalBytes: number;
  uploadReceivedBytes: number;
  durationSeconds: number | undefined;
  width: number | undefined;
  height: number | undefined;
  tokensRevokedBefore: Date | undefined;
  createdAt: Date;
}

export interface RenditionRow {
  name: string;
  kind: 'video' | 'audio';
  width: number | undefined;
  height: number | undefined;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  frameRate: number | undefined;
}

type Selected = VideoDB['video'] extends infer T ? { [K in keyof T]: unknown } : never;

function toRow(r: Record<keyof Selected, unknown>): VideoRow {
  return {
    id: r.id as string,
    title: r.title as string,
    description: r.description as string,
    tags: r.tags as string[],
    ownerSubject: r.owner_subject as string,
    institutionId: r.institution_id as string,
    audience: r.audience as Audience,
    audienceRoles: r.audience_roles as string[],
    status: r.status as VideoStatus,
    failureReason: (r.failure_reason as string | null) ?? undefined,
    jobId: (r.job_id as string | null) ?? undefined,
    uploadTotalBytes: Number(r.upload_total_bytes),
    uploadReceivedBytes: Number(r.upload_received_bytes),
    durationSeconds: (r.duration_seconds as number | null) ?? undefined,
    width: (r.width as number | null) ?? undefined,
    height: (r.height as number | null) ?? undefined,
    tokensRevokedBefore: (r.tokens_revoked_before as Date | null) ?? undefined,
    createdAt: r.created_at as Date,
  };
}

/** Plain queries over the video tables; access decisions are the service's (see access.ts). */
export function createVideoStore(database: Database) {
  const db = database.db as Kysely<VideoDB>;
  return {
    async insert(video: {
      id: string;
      title: string;
      description: string;
      tags: string[];
      ownerSubject: string;
      institutionId: string;
      audience: Audience;
      audienceRoles: string[];
      uploadTotalBytes: number;
    }): Promise<void> {
      await db
        .insertInto('video')
        .values({
          id: video.id,
          title: video.title,
          description: video.description,
          tags: video.tags,
          owner_subject: video.ownerSubject,
          institution_id: video.institutionId,
          audience: video.audience,
          audience_roles: video.audienceRoles,
          status: 'uploading',
          failure_reason: null,
          job_id: null,
          upload_total_bytes: video.uploadTotalBytes,
          duration_seconds: null,
          width: null,
          height: null,
          tokens_revoked_before: null,
        })
        .execute();
    },

    async find(id: string): Promise<VideoRow | undefined> {
      const row = await db.selectFrom('video').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRow(row) : undefined;
    },

    /** Newest first; the caller filters by audience (the candidate set is bounded by `limit`). */
    async list(limit: number): Promise<VideoRow[]> {
      const rows = await db
        .selectFrom('video')
        .selectAll()
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toRow);
    },

    /** Moves the upload offset forward only from `expectedOffset`, so two racing chunks cannot both land. */
    async advanceUpload(id: string, expectedOffset: number, newOffset: number): Promise<boolean> {
      const result = await db
        .updateTable('video')
        .set({ upload_received_bytes: newOffset, updated_at: new Date() })
        .where('id', '=', id)
        .where('status', '=', 'uploading')
        .where('upload_received_bytes', '=', String(expectedOffset) as never)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async setStatus(
      id: string,
      status: VideoStatus,
      fields: { failureReason?: string | null; jobId?: string } = {},
    ): Promise<void> {
      await db
        .updateTable('video')
        .set({
          status,
          updated_at: new Date(),
          ...(fields.failureReason !== undefined ? { failure_reason: fields.failureReason } : {}),
          ...(fields.jobId !== undefined ? { job_id: fields.jobId } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async markReady(
      id: string,
      media: { durationSeconds: number; width: number; height: number },
      renditions: RenditionRow[],
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('video_rendition').where('video_id', '=', id).execute();
        if (renditions.length > 0) {
          await trx
            .insertInto('video_rendition')
            .values(
              renditions.map((r, position) => ({
                video_id: id,
                name: r.name,
                kind: r.kind,
                width: r.width ?? null,
                height: r.height ?? null,
                bandwidth: Math.ceil(r.bandwidth),
                average_bandwidth: Math.ceil(r.averageBandwidth),
                codecs: r.codecs,
                frame_rate: r.frameRate ?? null,
                position,
              })),
            )
            .execute();
        }
        await trx
          .updateTable('video')
          .set({
            status: 'ready',
            failure_reason: null,
            duration_seconds: media.durationSeconds,
            width: media.width,
            height: media.height,
            updated_at: new Date(),
          })
          .where('id', '=', id)
          .execute();
      });
    },

    async renditions(id: string): Promise<RenditionRow[]> {
      const rows = await db
        .selectFrom('video_rendition')
        .selectAll()
        .where('video_id', '=', id)
        .orderBy('position')
        .execute();
      return rows.map((r) => ({
        name: r.name,
        kind: r.kind,
        width: r.width ?? undefined,
        height: r.height ?? undefined,
        bandwidth: r.bandwidth,
        averageBandwidth: r.average_bandwidth,
        codecs: r.codecs,
        frameRate: r.frame_rate ?? undefined,
      }));
    },

    async captions(id: string): Promise<{ language: string; label: string }[]> {
      return db
        .selectFrom('video_caption')
        .select(['language', 'label'])
        .where('video_id', '=', id)
        .orderBy('language')
        .execute();
    },

    async upsertCaption(id: string, language: string, label: string): Promise<void> {
      await db
        .insertInto('video_caption')
        .values({ video_id: id, language, label })
        .onConflict((oc) => oc.columns(['video_id', 'language']).doUpdateSet({ label }))
        .execute();
    },

    async assignedPatients(id: string): Promise<string[]> {
      const rows = await db
        .selectFrom('video_assignment')
        .select('patient_id')
        .where('video_id', '=', id)
        .execute();
      return rows.map((r) => r.patient_id);
    },

    /** Video ids assigned to any of these patients (for the catalogue). */
    async videosAssignedTo(patients: readonly string[]): Promise<Map<string, string[]>> {
      const result = new Map<string, string[]>();
      if (patients.length === 0) return result;
      const rows = await db
        .selectFrom('video_assignment')
        .select(['video_id', 'patient_id'])
        .where('patient_id', 'in', [...patients])
        .execute();
      for (const r of rows) result.set(r.video_id, [...(result.get(r.video_id) ?? []), r.patient_id]);
      return result;
    },

    async assign(id: string, patientId: string, assignedBy: string): Promise<void> {
      await db
        .insertInto('video_assignment')
        .values({ video_id: id, patient_id: patientId, assigned_by: assignedBy })
        .onConflict((oc) => oc.columns(['video_id', 'patient_id']).doNothing())
        .execute();
    },

    async revokeTokens(id: string, before: Date): Promise<void> {
      await db.updateTable('video').set({ tokens_revoked_before: before }).where('id', '=', id).execute();
    },

    db,
  };
}

export type VideoStore = ReturnType<typeof createVideoStore>;
