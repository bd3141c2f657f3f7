/**
 * Video delivery (SPEC §7: "time-to-first-frame p95 < 1 s"): time to first frame in Debian Chromium with
 * hls.js over N plays, starting on the low first variant (what the master playlist makes players do) beside
 * starting on the top rendition; then segment serving throughput and latency under concurrent viewers
 * (a keep-alive HTTP client on its own thread), through the signed-token route beside two baselines: the
 * same objects streamed by a bare node:http server, and read straight from storage. `--plays 0` skips the
 * browser part.
 *
 *   node bin/bench.js video-playback [--plays 20] [--viewers 50] [--seconds 5] [--rounds 2]
 *
 * Reports; it does not assert timings.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { launchBrowser } from '../test/support/browser.ts';
import { bundlePlayer, harnessPath, routeHarness, startVideoServer } from '../test/support/video-browser.ts';
import { generateClip } from '../test/support/video-fixtures.ts';
import { runLoad } from './support/load.ts';

const { values } = parseArgs({
  options: {
    plays: { type: 'string', default: '20' },
    viewers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
  },
});
const plays = Number(values.plays);
const viewers = Number(values.viewers);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

const uptime = async () => (await promisify(execFile)('/usr/bin/uptime')).stdout.trim();

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
  const loadBefore = await uptime();
  const master = await server.masterUrl();
  const base = master.replace(/master\.m3u8$/, '');
  const playlist = await (await fetch(`${base}720p/index.m3u8`)).text();
  const segments = playlist.split('\n').filter((line) => line.endsWith('.m4s'));
  interface Sample {
    latencies: number[];
    bytes: number;
    seconds: number;
  }
  const summarise = (samples: Sample[]) => {
    const latencies = samples.flatMap((sample) => sample.latencies);
    const duration = samples.reduce((sum, sample) => sum + sample.seconds, 0);
    const bytes = samples.reduce((sum, sample) => sum + sample.bytes, 0);
    return {
      requests: latencies.length / duration,
      mbps: (bytes * 8) / duration / 1e6,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
    };
  };
  // The viewers' HTTP client runs on its own thread (keep-alive node:http agent, one socket per viewer), so
  // the server's event loop does not also carry the load generator.
  const httpViewers = async (urls: string[], duration: number): Promise<Sample> => {
    const parsed = urls.map((url) => new URL(url));
    const result = await runLoad({
      port: Number(parsed[0]!.port),
      paths: parsed.map((url) => url.pathname + url.search),
      headers: [{}],
      mode: 'closed',
      concurrency: viewers,
      rate: 0,
      seconds: duration,
    });
    if (result.errors > 0) throw new Error(`${result.errors} segment requests failed`);
    return { latencies: result.latencies, bytes: result.bytes, seconds: duration };
  };
  const storage = server.t.runtime.storage;
  const fromStorage = async (): Promise<Sample> => {
    const latencies: number[] = [];
    let bytes = 0;
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: viewers }, async (_, v) => {
        for (let i = v; Date.now() < until; i++) {
          const started = performance.now();
          const read = await storage.get(
            `videos/${server.videoId}/hls/720p/${segments[i % segments.length]}`,
          );
          for await (const chunk of read.body as AsyncIterable<Buffer>) bytes += chunk.length;
          latencies.push(performance.now() - started);
        }
      }),
    );
    return { latencies, bytes, seconds };
  };
  // Transport baseline: the same objects streamed by a bare node:http server (no token, no framework).
  const plain = http.createServer((request, response) => {
    storage.get(`videos/${server.videoId}/hls/720p/${request.url!.slice(1)}`).then(
      (read) => {
        response.writeHead(200, {
          'content-length': read.contentLength,
          'content-type': 'video/iso.segment',
        });
        pipeline(read.body as Readable, response, () => {});
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const plainBase = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  const routeUrls = segments.map((segment) => `${base}720p/${segment}`);
  const plainUrls = segments.map((segment) => `${plainBase}${segment}`);
  // 1 s warm-up each, then interleaved rounds, so JIT and a load change on the shared machine hit all alike.
  await httpViewers(routeUrls, 1);
  await httpViewers(plainUrls, 1);
  const samples = { route: [] as Sample[], plain: [] as Sample[], direct: [] as Sample[] };
  for (let round = 0; round < rounds; round++) {
    samples.route.push(await httpViewers(routeUrls, seconds));
    samples.plain.push(await httpViewers(plainUrls, seconds));
    samples.direct.push(await fromStorage());
  }
  plain.closeAllConnections();
  plain.close();
  const viaRoute = summarise(samples.route);
  const viaPlain = summarise(samples.plain);
  const direct = summarise(samples.direct);

  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const row = (r: typeof direct) =>
    `${r.requests.toFixed(0)} req/s, ${r.mbps.toFixed(0)} Mbit/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`;
  const ttffRow = (samples: number[]) =>
    samples.length === 0
      ? 'not measured (--plays 0)'
      : `p50 ${ms(quantile(samples, 0.5))}, p95 ${ms(quantile(samples, 0.95))} over ${samples.length} plays`;
  const segmentBytes = (direct.mbps * 1e6) / 8 / direct.requests;
  process.stdout.write(
    [
      `video playback: 16 s 720p clip (ladder 240p/360p/720p), Chromium + hls.js, ${os.cpus().length} CPUs`,
      `  time to first frame, low first variant (default): ${ttffRow(low)}`,
      `  baseline, forced start on 720p:                   ${ttffRow(top)}`,
      `  segments (${segments.length} × 720p, ${(segmentBytes / 1e6).toFixed(2)} MB each on average), ${viewers} concurrent viewers, ${rounds} interleaved rounds of ${seconds} s each:`,
      `    via signed-token route (HTTP keep-alive):           ${row(viaRoute)}`,
      `    baseline, same objects over bare node:http:         ${row(viaPlain)}`,
      `    baseline, same objects straight from storage:       ${row(direct)}`,
      `  load: before ${loadBefore}; after ${await uptime()}`,
      '',
    ].join('\n'),
  );
} finally {
  await browser.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
