import type { ApiClient } from '../api/api-client.ts';

export interface VideoSummary {
  id: string;
  title: string;
  description: string;
  tags: string[];
  status: string;
  durationSeconds: number | undefined;
  canManage: boolean;
}

export interface PlaybackGrant {
  videoId: string;
  masterUrl: string;
  posterUrl: string;
  storyboardUrl: string;
  expiresAt: string;
  captions: { language: string; label: string }[];
}

export interface VideoAnalytics {
  total: {
    views: number;
    watchSeconds: number;
    averageStartupMs: number | undefined;
    rebufferingRatio: number;
    switches: number;
    renditionShare: Record<string, number>;
  };
  byInstitution: { institutionId: string; views: number; watchSeconds: number }[];
}

export async function fetchCatalogue(api: ApiClient): Promise<VideoSummary[]> {
  return ((await api.get('/api/videos')) as { videos: VideoSummary[] }).videos;
}

export async function fetchPlayback(api: ApiClient, id: string): Promise<PlaybackGrant> {
  return (await api.get(`/api/videos/${encodeURIComponent(id)}/playback`)) as PlaybackGrant;
}

export async function fetchAnalytics(api: ApiClient, id: string): Promise<VideoAnalytics> {
  return (await api.get(`/api/videos/${encodeURIComponent(id)}/analytics`)) as VideoAnalytics;
}

/**
 * Resume positions live in memory only, like the session itself (app.tsx): which video a patient watched
 * can hint at a condition, so nothing is written to browser storage.
 */
export const resumePositions = new Map<string, number>();
