import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestRuntime } from '../support/runtime.ts';
import {
  ffprobeJson,
  generateClip,
  uploadBytes,
  uploadFile,
  waitForVideo,
} from '../support/video-fixtures.ts';
import { runId } from './identity-fixtures.ts';
import { useVideoTestbed } from './video-testbed.ts';

const srt =
  '1\n00:00:00,500 --> 00:00:03,000\nWash your hands <b>first</b>.\n\n2\n00:00:04,000 --> 00:00:07,500\nThen put on gloves.\n';

describe.each(backends)('video pipeline with real ffmpeg on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  let work: string;
  let owner: Record<string, string>;
  let videoId: string;
  let master: string;
  let base: string;
  const north = `vnorth-${runId}`;

  const bed = useVideoTestbed(
    backend,
    'video_pipeline',
    { id: north, name: 'North Clinic' },
    { baseMs: 100, maxMs: 500 },
  );
  beforeAll(async () => {
    ({ t, app, work, owner } = bed);
    await generateClip(path.join(work, 'clip.mp4'), { seconds: 8, width: 1280, height: 720 });
  });

  it('rejects a corrupt and a hostile upload with a readable reason, and keeps serving the next job', async () => {
    const random = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const playlist = Buffer.from('#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n');
    const clip = await readFile(path.join(work, 'clip.mp4'));
    const truncated = clip.subarray(0, Math.floor(clip.length / 3));
    const ids = [];
    for (const bytes of [random, playlist, truncated]) {
      ids.push(await uploadBytes(app, owner, bytes, { title: 'broken', audience: 'institution' }));
    }
    for (const id of ids) {
      const status = await waitForVideo(app, owner, id);
      expect(status.status).toBe('failed');
      expect(status.failureReason).toMatch(
        /not a supported video container|could not be read as a video|no video stream|no duration/,
      );
      expect(status.failureReason).not.toMatch(/\/tmp|carebase-transcode/);
    }
    // The handler marks the video failed just before the worker records the job as dead.
    const deadline = Date.now() + 10_000;
    let dead = await t.runtime.jobs.list({ queue: 'video.transcode', state: 'dead' });
    while (dead.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      dead = await t.runtime.jobs.list({ queue: 'video.transcode', state: 'dead' });
    }
    expect(dead.length).toBeGreaterThanOrEqual(3);

    videoId = await uploadFile(app, owner, path.join(work, 'clip.mp4'), {
      title: 'Hand hygiene',
      audience: 'institution',
      tags: ['hygiene'],
    });
    const captions = await app.inject({
      method: 'PUT',
      url: `/api/videos/${videoId}/captions/en?label=English`,
      headers: { ...owner, 'content-type': 'application/x-subrip' },
      payload: srt,
    });
    expect(captions.statusCode, captions.body).toBe(200);
    const ready = await waitForVideo(app, owner, videoId);
    expect(ready).toMatchObject({ status: 'ready', progress: { fraction: 1 } });
  });

  it('checks the resumable upload: wrong offset, oversize chunk and size limit', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/videos',
      headers: owner,
      payload: { title: 'partial', audience: 'public', sizeBytes: 10 },
    });
    const { id } = created.json() as { id: string };
    const put = (offset: number, bytes: number) =>
      app.inject({
        method: 'PUT',
        url: `/api/videos/${id}/upload`,
        headers: { ...owner, 'content-type': 'application/octet-stream', 'upload-offset': String(offset) },
        payload: Buffer.alloc(bytes),
      });
    expect((await put(0, 4)).statusCode).toBe(200);
    expect((await put(0, 4)).json()).toMatchObject({ error: 'conflict' });
    expect((await put(4, 7)).statusCode).toBe(413);
    expect((await app.inject({ url: `/api/videos/${id}`, headers: owner })).json()).toMatchObject({
      upload: { totalBytes: 10, receivedBytes: 4 },
    });
    const tooBig = await app.inject({
      method: 'POST',
      url: '/api/videos',
      headers: owner,
      payload: { title: 'huge', audience: 'public', sizeBytes: 3 * 1024 ** 3 },
    });
    expect(tooBig.statusCode).toBe(413);
  });

  it('serves a master playlist with the ladder, low variant first, audio-only and subtitles', async () => {
    const grant = await app.inject({ url: `/api/videos/${videoId}/playback`, headers: owner });
    expect(grant.statusCode, grant.body).toBe(200);
    const body = grant.json() as { masterUrl: string; expiresAt: string };
    const ttl = Date.parse(body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(4 * 3_600_000);
    base = body.masterUrl.replace(/master\.m3u8$/, '');
    const response = await app.inject({ url: body.masterUrl });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('mpegurl');
    expect(response.headers['cache-control']).toMatch(/max-age=60/);
    master = response.body;
    const variants = [...master.matchAll(/#EXT-X-STREAM-INF:(.*)\n(.*)/g)].map((m) => ({
      attrs: m[1]!,
      uri: m[2]!,
    }));
    expect(variants.map((v) => v.uri)).toEqual([
      '240p/index.m3u8',
      '360p/index.m3u8',
      '720p/index.m3u8',
      'audio/index.m3u8',
    ]);
    for (const v of variants) {
      expect(v.attrs).toMatch(/BANDWIDTH=\d+/);
      expect(v.attrs).toMatch(/AVERAGE-BANDWIDTH=\d+/);
      expect(v.attrs).toMatch(/CODECS="(avc1\.4d40[0-9a-f]{2},)?mp4a\.40\.2"/);
    }
    expect(variants[0]!.attrs).toContain('RESOLUTION=426x240');
    expect(variants[2]!.attrs).toContain('RESOLUTION=1280x720');
    expect(master).not.toContain('1080');
    expect(master).toMatch(/#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en"/);
  });

  it('has aligned 2 s keyframes, 4 s segments, H.264 + AAC in every rendition (ffprobe)', async () => {
    const keyframesByRendition: number[][] = [];
    for (const [name, width, height] of [
      ['240p', 426, 240],
      ['360p', 640, 360],
      ['720p', 1280, 720],
    ] as const) {
      const playlist = (await app.inject({ url: `${base}${name}/index.m3u8` })).body;
      const durations = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
      expect(durations.length).toBe(2);
      for (const d of durations.slice(0, -1)) {
        expect(d).toBeGreaterThanOrEqual(3.9);
        expect(d).toBeLessThanOrEqual(6);
      }
      const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]!;
      const parts = [init, ...playlist.split('\n').filter((l) => l.endsWith('.m4s'))];
      const bytes = [];
      for (const part of parts) bytes.push((await app.inject({ url: `${base}${name}/${part}` })).rawPayload);
      const file = path.join(work, `${name}.mp4`);
      await writeFile(file, Buffer.concat(bytes));
      const probed = (await ffprobeJson(file, ['-show_streams'])) as {
        streams: {
          codec_type: string;
          codec_name: string;
          width?: number;
          height?: number;
          profile?: string;
        }[];
      };
      const video = probed.streams.find((s) => s.codec_type === 'video')!;
      expect(video).toMatchObject({ codec_name: 'h264', width, height, profile: 'Main' });
      expect(probed.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
      const frames = (await ffprobeJson(file, [
        '-select_streams',
        'v:0',
        '-skip_frame',
        'nokey',
        '-show_entries',
        'frame=pts_time',
      ])) as { frames: { pts_time: string }[] };
      keyframesByRendition.push(frames.frames.map((f) => Math.round(Number(f.pts_time) * 100) / 100));
    }
    expect(keyframesByRendition[0]!.length).toBe(4);
    const gaps = keyframesByRendition[0]!.slice(1).map((k, i) => k - keyframesByRendition[0]![i]!);
    for (const gap of gaps) expect(gap).toBeCloseTo(2, 1);
    expect(keyframesByRendition[1]).toEqual(keyframesByRendition[0]);
    expect(keyframesByRendition[2]).toEqual(keyframesByRendition[0]);
  });

  it('has a poster, a storyboard sprite with a WebVTT thumbnails track, and a WebVTT subtitle rendition', async () => {
    await mkdir(path.join(work, 'assets'), { recursive: true });
    const poster = await app.inject({ url: `${base}poster.jpg` });
    expect(poster.headers['content-type']).toBe('image/jpeg');
    await writeFile(path.join(work, 'assets/poster.jpg'), poster.rawPayload);
    const posterInfo = (await ffprobeJson(path.join(work, 'assets/poster.jpg'), ['-show_streams'])) as {
      streams: { width: number; height: number; codec_name: string }[];
    };
    expect(posterInfo.streams[0]).toMatchObject({ codec_name: 'mjpeg', height: 360 });

    const sprite = await app.inject({ url: `${base}storyboard.jpg` });
    await writeFile(path.join(work, 'assets/sprite.jpg'), sprite.rawPayload);
    const spriteInfo = (await ffprobeJson(path.join(work, 'assets/sprite.jpg'), ['-show_streams'])) as {
      streams: { width: number; height: number }[];
    };
    expect(spriteInfo.streams[0]).toMatchObject({ width: 4 * 160, height: 90 });
    const thumbnails = (await app.inject({ url: `${base}storyboard.vtt` })).body;
    expect(thumbnails).toMatch(/^WEBVTT/);
    expect(thumbnails).toContain('00:00:02.000 --> 00:00:04.000\nstoryboard.jpg#xywh=160,0,160,90');

    const subsPlaylist = await app.inject({ url: `${base}subs/en.m3u8` });
    expect(subsPlaylist.body).toMatch(/#EXTINF:8\.\d+,\nen\.vtt/);
    const vtt = await app.inject({ url: `${base}subs/en.vtt` });
    expect(vtt.headers['content-type']).toContain('text/vtt');
    await writeFile(path.join(work, 'assets/en.vtt'), vtt.rawPayload);
    const subs = (await ffprobeJson(path.join(work, 'assets/en.vtt'), [
      '-show_streams',
      '-show_packets',
    ])) as {
      streams: { codec_name: string }[];
      packets: unknown[];
    };
    expect(subs.streams[0]!.codec_name).toBe('webvtt');
    expect(subs.packets).toHaveLength(2);
    expect(vtt.body).toContain('Wash your hands <b>first</b>.');
  });

  it('serves byte ranges and immutable segments, and refuses paths outside the renditions', async () => {
    const whole = await app.inject({ url: `${base}240p/segment-00000.m4s` });
    expect(whole.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const partial = await app.inject({
      url: `${base}240p/segment-00000.m4s`,
      headers: { range: 'bytes=100-199' },
    });
    expect(partial.statusCode).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 100-199/${whole.rawPayload.length}`);
    expect(partial.rawPayload).toEqual(whole.rawPayload.subarray(100, 200));
    const beyond = await app.inject({
      url: `${base}240p/segment-00000.m4s`,
      headers: { range: 'bytes=99999999-' },
    });
    expect(beyond.statusCode).toBe(416);
    for (const file of [
      '../upload/00000000000000.part',
      '%2e%2e/upload/00000000000000.part',
      'source',
      '240p/../../x',
    ]) {
      expect([403, 404]).toContain((await app.inject({ url: `${base}${file}` })).statusCode);
    }
  });
});
