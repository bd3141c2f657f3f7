import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  autoCaptionLabel,
  autoCaptionLanguage,
  detectSpeechEngine,
} from '../../src/modules/video/auto-captions.ts';
import { backends } from '../support/runtime.ts';
import { generateClip, uploadFile, waitForVideo } from '../support/video-fixtures.ts';
import { runId } from './identity-fixtures.ts';
import { useVideoTestbed } from './video-testbed.ts';

const sentence = 'Hold the inhaler upright and shake it well. Breathe out slowly, then press the canister.';

describe.each(backends)('automatic captions on $name', (backend) => {
  let app: FastifyInstance;
  let work: string;
  let owner: Record<string, string>;

  const bed = useVideoTestbed(backend, 'video_captions', { id: `vcap-${runId}`, name: 'Caption Clinic' });
  beforeAll(() => {
    ({ app, work, owner } = bed);
  });

  it('transcribes speech into an English subtitle rendition', async () => {
    const clip = path.join(work, 'speech.mp4');
    await generateClip(clip, { seconds: 7, width: 640, height: 360, speech: sentence });
    const id = await uploadFile(app, owner, clip, { title: 'Inhaler', audience: 'institution' });
    expect((await waitForVideo(app, owner, id)).status).toBe('ready');
    const status = (await app.inject({ url: `/api/videos/${id}`, headers: owner })).json() as {
      captions: { language: string; label: string }[];
    };
    // `npm test` installs the engine (Debian's pocketsphinx-en-us); a missing one fails rather than skips.
    expect(await detectSpeechEngine()).toEqual({ available: true });
    expect(status.captions).toEqual([{ language: autoCaptionLanguage, label: autoCaptionLabel }]);
    const grant = (await app.inject({ url: `/api/videos/${id}/playback`, headers: owner })).json() as {
      masterUrl: string;
    };
    const master = await app.inject({ url: grant.masterUrl });
    expect(master.body).toContain('TYPE=SUBTITLES');
    const vtt = await app.inject({ url: grant.masterUrl.replace('master.m3u8', 'subs/en.vtt') });
    expect(vtt.statusCode).toBe(200);
    expect(vtt.body).toMatch(/^WEBVTT/);
    // PocketSphinx on flite's voice: the content words come through even if small words do not.
    const words = ['inhaler', 'upright', 'breathe', 'slowly', 'press', 'canister'];
    const heard = words.filter((word) => vtt.body.toLowerCase().includes(word));
    expect(heard.length).toBeGreaterThanOrEqual(4);
    const times = [...vtt.body.matchAll(/(\d\d):(\d\d):(\d\d)\.(\d{3}) --> /g)];
    expect(times.length).toBeGreaterThan(0);
  });
});
