import type { ColumnType, Generated } from 'kysely';

export const audiences = ['public', 'authenticated', 'roles', 'institution', 'patients'] as const;
export type Audience = (typeof audiences)[number];
export type VideoStatus = 'uploading' | 'queued' | 'processing' | 'ready' | 'failed';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface VideoTable {
  id: string;
  title: string;
  description: Generated<string>;
  tags: Generated<string[]>;
  owner_subject: string;
  institution_id: string;
  audience: Audience;
  audience_roles: Generated<string[]>;
  status: VideoStatus;
  failure_reason: string | null;
  job_id: string | null;
  upload_total_bytes: ColumnType<string, number, number>;
  upload_received_bytes: ColumnType<string, number | undefined, number>;
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  tokens_revoked_before: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VideoRenditionTable {
  video_id: string;
  name: string;
  kind: 'video' | 'audio';
  width: number | null;
  height: number | null;
  bandwidth: number;
  average_bandwidth: number;
  codecs: string;
  frame_rate: number | null;
  position: number;
}

export interface VideoCaptionTable {
  video_id: string;
  language: string;
  label: string;
  created_at: Timestamp;
}

export interface VideoAssignmentTable {
  video_id: string;
  patient_id: string;
  assigned_by: string;
  created_at: Timestamp;
}

export interface VideoStatsTable {
  video_id: string;
  institution_id: string;
  views: Generated<number>;
  watch_seconds: Generated<number>;
  startup_ms_sum: Generated<number>;
  startup_samples: Generated<number>;
  stall_seconds: Generated<number>;
  switches: Generated<number>;
  rendition_seconds: ColumnType<Record<string, number>, string | undefined, string>;
}

export interface VideoDB {
  video: VideoTable;
  video_rendition: VideoRenditionTable;
  video_caption: VideoCaptionTable;
  video_assignment: VideoAssignmentTable;
  video_stats: VideoStatsTable;
  video_beacon_seen: { id: string; seen_at: Timestamp };
}
