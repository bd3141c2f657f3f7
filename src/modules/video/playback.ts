import type { Readable } from 'node:stream';
import type { RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ByteRange, ObjectStorage } from '../../platform/storage/index.ts';
import { subtitlePlaylist } from './captions.ts';
import { buildMasterPlaylist } from './master-playlist.ts';
import { contentTypeOf, deliverablePath, videoKeys } from './object-keys.ts';
import {
  mintPlaybackToken,
  PlaybackTokenError,
  verifyPlaybackToken,
  type PlaybackKeyring,
} from './playback-token.ts';
import type { PlaybackStateCache } from './playback-state.ts';
import type { VideoCatalog } from './service.ts';
import type { VideoStore } from './store.ts';

export const defaultPlaybackTtlSeconds = 2 * 3600;

export interface PlaybackGrant {
  videoId: string;
  masterUrl: string;
  posterUrl: string;
  storyboardUrl: string;
  expiresAt: string;
  captions: { language: string; label: string }[];
  renditions: { name: string; width: number | undefined; height: number | undefined; bandwidth: number }[];
}

export interface Delivery {
  body: Readable | string;
  contentType: string;
  /** Playlists are short-lived (they carry the token's lifetime); segments never change. */
  cacheControl: string;
  range?: { start: number; end: number; size: number };
  contentLength?: number;
}

export const playlistCacheControl = 'private, max-age=60';
export const segmentCacheControl = 'public, max-age=31536000, immutable';

/** Minting after the access check, and serving what a valid token names. */
export function createPlayback(deps: {
  catalog: VideoCatalog;
  store: VideoStore;
  storage: ObjectStorage;
  keyring: PlaybackKeyring;
  /** Ready videos' revocation state, so a segment request costs no database round trip. */
  states: PlaybackStateCache;
  ttlSeconds?: number;
}) {
  const { catalog, store, storage, keyring, states } = deps;
  // SPEC: signed URLs live between 1 and 4 hours.
  const ttlSeconds = Math.min(4 * 3600, Math.max(3600, deps.ttlSeconds ?? defaultPlaybackTtlSeconds));

  function refused(problem: string): AppError {
    return new AppError('forbidden', 'This playback link is not valid.', { reason: `playback_${problem}` });
  }

  async function authorizeToken(videoId: string, token: string) {
    let claims;
    try {
      claims = verifyPlaybackToken(keyring, token, videoId);
    } catch (error) {
      if (error instanceof PlaybackTokenError) throw refused(error.problem);
      throw error;
    }
    const state = await states.get(videoId);
    if (!state) throw refused('unavailable');
    const revoked = state.revokedBeforeSeconds;
    if (revoked !== undefined && claims.issuedAt <= revoked) throw refused('revoked');
    return state;
  }

  return {
    ttlSeconds,

    async grant(ctx: RequestContext, videoId: string): Promise<PlaybackGrant> {
      const { video } = await catalog.visible(ctx, videoId);
      if (video.status !== 'ready') {
        throw new AppError('conflict', 'The video is not ready yet.', { reason: `video_${video.status}` });
      }
      const { token, expiresAt } = mintPlaybackToken(keyring, {
        subject: ctx.subject ?? `anonymous:${ctx.requestId}`,
        videoId,
        ttlSeconds,
      });
      const base = `/api/videos/${videoId}/hls/${token}`;
      const renditions = await store.renditions(videoId);
      return {
        videoId,
        masterUrl: `${base}/master.m3u8`,
        posterUrl: `${base}/poster.jpg`,
        storyboardUrl: `${base}/storyboard.vtt`,
        expiresAt: expiresAt.toISOString(),
        captions: await store.captions(videoId),
        renditions: renditions
          .filter((r) => r.kind === 'video')
          .map((r) => ({ name: r.name, width: r.width, height: r.height, bandwidth: r.bandwidth })),
      };
    },

    async deliver(videoId: string, token: string, file: string, range?: ByteRange): Promise<Delivery> {
      const video = await authorizeToken(videoId, token);
      if (file === 'master.m3u8') {
        const renditions = await store.renditions(videoId);
        const captions = await store.captions(videoId);
        const body = buildMasterPlaylist(
          renditions.map((r) => ({
            uri: `${r.name}/index.m3u8`,
            peakBitsPerSecond: r.bandwidth,
            averageBitsPerSecond: r.averageBandwidth,
            codecs: r.codecs,
            resolution: r.width && r.height ? { width: r.width, height: r.height } : undefined,
            frameRate: r.frameRate,
          })),
          captions.map((c) => ({ language: c.language, name: c.label, uri: `subs/${c.language}.m3u8` })),
        );
        return { body, contentType: contentTypeOf(file), cacheControl: playlistCacheControl };
      }
      if (!deliverablePath.test(file)) throw new AppError('not_found', 'No such file.');
      const subs = /^subs\/(.+)\.(m3u8|vtt)$/.exec(file);
      if (subs?.[2] === 'm3u8') {
        const captions = await store.captions(videoId);
        if (!captions.some((c) => c.language === subs[1])) throw new AppError('not_found', 'No such file.');
        return {
          body: subtitlePlaylist(`${subs[1]}.vtt`, video.durationSeconds ?? 1),
          contentType: contentTypeOf(file),
          cacheControl: playlistCacheControl,
        };
      }
      const key = subs ? videoKeys.caption(videoId, subs[1]!) : videoKeys.hls(videoId, file);
      const read = await storage.get(key, range ? { range } : undefined);
      return {
        body: read.body,
        contentType: contentTypeOf(file),
        cacheControl: file.endsWith('.m3u8') || subs ? playlistCacheControl : segmentCacheControl,
        range: read.range ? { ...read.range, size: read.size } : undefined,
        contentLength: read.contentLength,
      };
    },
  };
}

export type Playback = ReturnType<typeof createPlayback>;
