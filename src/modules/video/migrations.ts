import { sql, type Kysely } from 'kysely';
import { grantToAppRole, type Migrations } from '../../platform/db/index.ts';

/**
 * Videos are educational content, not clinical rows: access is decided by the video service from the
 * audience columns (SPEC §2 Video), so these tables carry no row-level security policy.
 */
export const videoMigrations: Migrations = {
  '20261123_60_video': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table video (
          id text primary key,
          title text not null,
          description text not null default '',
          tags text[] not null default '{}',
          owner_subject text not null,
          institution_id text not null references institution (id),
          audience text not null check (audience in ('public', 'authenticated', 'roles', 'institution', 'patients')),
          audience_roles text[] not null default '{}',
          status text not null check (status in ('uploading', 'queued', 'processing', 'ready', 'failed')),
          failure_reason text,
          job_id text,
          upload_total_bytes bigint not null,
          upload_received_bytes bigint not null default 0,
          duration_seconds double precision,
          width integer,
          height integer,
          tokens_revoked_before timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index video_institution_idx on video (institution_id, created_at desc)`.execute(db);
      await sql`
        create table video_rendition (
          video_id text not null references video (id) on delete cascade,
          name text not null,
          kind text not null check (kind in ('video', 'audio')),
          width integer,
          height integer,
          bandwidth integer not null,
          average_bandwidth integer not null,
          codecs text not null,
          frame_rate double precision,
          position integer not null,
          primary key (video_id, name)
        )`.execute(db);
      await sql`
        create table video_caption (
          video_id text not null references video (id) on delete cascade,
          language text not null,
          label text not null,
          created_at timestamptz not null default now(),
          primary key (video_id, language)
        )`.execute(db);
      await sql`
        create table video_assignment (
          video_id text not null references video (id) on delete cascade,
          patient_id text not null,
          assigned_by text not null,
          created_at timestamptz not null default now(),
          primary key (video_id, patient_id)
        )`.execute(db);
      await sql`create index video_assignment_patient_idx on video_assignment (patient_id)`.execute(db);
      await sql`
        create table video_stats (
          video_id text not null references video (id) on delete cascade,
          institution_id text not null,
          views integer not null default 0,
          watch_seconds double precision not null default 0,
          startup_ms_sum double precision not null default 0,
          startup_samples integer not null default 0,
          stall_seconds double precision not null default 0,
          switches integer not null default 0,
          rendition_seconds jsonb not null default '{}',
          primary key (video_id, institution_id)
        )`.execute(db);
      // Beacons arrive at least once; their ids make the aggregation idempotent.
      await sql`
        create table video_beacon_seen (
          id text primary key,
          seen_at timestamptz not null default now()
        )`.execute(db);
      await grantToAppRole(db, [
        'video',
        'video_rendition',
        'video_caption',
        'video_assignment',
        'video_stats',
        'video_beacon_seen',
      ]);
    },
  },
};
