/**
 * Video delivery (SPEC §7: "time-to-first-frame p95 < 1 s"): time to first frame in Debian Chromium with
 * hls.js over N plays, starting on the low first variant (what the master playlist makes players do) beside
 * starting on the top rendition; then segment serving throughput and latency under concurrent viewers,
 * through the signed-token route beside reading the same objects straight from storage.
 *
 *   node bin/bench.js video-playback [--plays 20] [--viewers 50] [--seconds 5]
 *
 * Reports; it does not assert timings.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../test/support/browser.ts';
import { bundlePlayer, harnessPath, routeHarness, startVideoServer } from '../test/support/video-browser.ts';
import { generateClip } from '../test/support/video-fixtures.ts';

const { values } = parseArgs({
  options: {
    plays: { type: 'string', default: '20' },
    viewers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
  },
});
const plays = Number(values.plays);
const viewers = Number(values.viewers);
const seconds = Number(values.seconds);

const quantile = (list: number[], q: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};

const work = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-video-'));
const clip = path.join(work, 'clip.mp4');
await generateClip(clip, { seconds: 16, width: 1280, height: 720 });
await writeFile(path.join(work, 'en.vtt'), 'WEBVTT\n\n00:00.500 --> 00:03.000\nHello.\n');
const server = await startVideoServer(clip, path.join(work, 'en.vtt'));
const browser = await launchBrowser();
try {
  const bundle = await bundlePlayer();
  const ttff = async (startLevel: number | undefined) => {
    const samples: number[] = [];
    for (let i = 0; i < plays; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await routeHarness(page, server.baseUrl, bundle);
      await page.goto(`${server.baseUrl}${harnessPath}/`);
      const options = startLevel === undefined ? {} : { hlsConfig: { startLevel } };
      await page.evaluate(
        `window.harness.start(${JSON.stringify(await server.masterUrl())}, ${JSON.stringify(options)})`,
      );
      const deadline = Date.now() + 15_000;
      let startup: number | undefined;
      while (startup === undefined && Date.now() < deadline) {
        startup = await page.evaluate<number | undefined>('window.harness.qoe().startupMs');
        if (startup === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (startup !== undefined) samples.push(startup);
      await context.close();
    }
    return samples;
  };
  const low = await ttff(undefined);
  const top = await ttff(2);

  // Segment serving: every viewer fetches the 720p segments in a loop.
  const master = await server.masterUrl();
  const base = master.replace(/master\.m3u8$/, '');
  const playlist = await (await fetch(`${base}720p/index.m3u8`)).text();
  const segments = playlist.split('\n').filter((line) => line.endsWith('.m4s'));
  const load = async (fetchOne: (segment: string) => Promise<number>) => {
    const latencies: number[] = [];
    let bytes = 0;
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: viewers }, async (_, v) => {
        for (let i = v; Date.now() < until; i++) {
          const started = performance.now();
          const size = await fetchOne(segments[i % segments.length]!);
          bytes += size;
          latencies.push(performance.now() - started);
        }
      }),
    );
    return {
      requests: latencies.length / seconds,
      mbps: (bytes * 8) / seconds / 1e6,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
    };
  };
  const viaRoute = await load(
    async (segment) => (await (await fetch(`${base}720p/${segment}`)).arrayBuffer()).byteLength,
  );
  const storage = server.t.runtime.storage;
  const direct = await load(async (segment) => {
    const read = await storage.get(`videos/${server.videoId}/hls/720p/${segment}`);
    let size = 0;
    for await (const chunk of read.body as AsyncIterable<Buffer>) size += chunk.length;
    return size;
  });

  const ms = (n: number) => `${n.toFixed(0)} ms`;
  process.stdout.write(
    [
      `video playback: 16 s 720p clip (ladder 240p/360p/720p), Chromium + hls.js, ${os.cpus().length} CPUs`,
      `  time to first frame, low first variant (default): p50 ${ms(quantile(low, 0.5))}, p95 ${ms(quantile(low, 0.95))} over ${low.length} plays`,
      `  baseline, forced start on 720p:                   p50 ${ms(quantile(top, 0.5))}, p95 ${ms(quantile(top, 0.95))} over ${top.length} plays`,
      `  segments via signed-token route, ${viewers} viewers: ${viaRoute.requests.toFixed(0)} req/s, ${viaRoute.mbps.toFixed(0)} Mbit/s, p50 ${ms(viaRoute.p50)}, p99 ${ms(viaRoute.p99)}`,
      `  baseline, same objects straight from storage:  ${direct.requests.toFixed(0)} req/s, ${direct.mbps.toFixed(0)} Mbit/s, p50 ${ms(direct.p50)}, p99 ${ms(direct.p99)}`,
      '',
    ].join('\n'),
  );
} finally {
  await browser.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
