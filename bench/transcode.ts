/**
 * Transcode speed relative to realtime (SPEC §7: "≥ 1× realtime for the full ladder on 2 cores"): the full
 * HLS ladder (every rung up to the source, audio-only, poster, storyboard) under several x264 settings beside
 * a single rendition at the source's own height, encoded from the same synthetic clip in the same run, for a
 * 1080p and a 720p source. For each setting: wall time (× realtime), the CPU seconds ffmpeg used (what a
 * shared machine's load cannot inflate much), the machine's load average while it ran, the bytes of each
 * rung, and SSIM/PSNR of the 720p rung against the source scaled to 720p with lanczos.
 *
 *   node bin/bench.js transcode [--seconds 10] [--heights 1080,720] [--runs 2]
 *                               [--settings veryfast,superfast,ultrafast,superfast/fastdecode,superfast/zerolatency]
 *
 * A setting is `preset` or `preset/tune`. Reports the median of the runs; it does not assert timings.
 */
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { chooseLadder } from '../src/modules/video/ladder.ts';
import { probeUpload, type ProbedMedia } from '../src/modules/video/probe-upload.ts';
import { defaultPreset, transcodeLadder } from '../src/modules/video/transcode-ladder.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    heights: { type: 'string', default: '1080,720' },
    runs: { type: 'string', default: '2' },
    settings: {
      type: 'string',
      default: `veryfast,${defaultPreset},ultrafast,${defaultPreset}/fastdecode,${defaultPreset}/zerolatency`,
    },
  },
});
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const fps = 30;
const settings = values.settings.split(',').map((s) => {
  const [preset, tune] = s.split('/') as [string, string | undefined];
  return { label: s, preset, tune };
});
const run = promisify(execFile);

/** CPU seconds of this process's reaped children (ffmpeg), from /proc/self/stat (cutime + cstime). */
async function childCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const load = () => os.loadavg()[0]!;
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

async function makeSource(dir: string, height: number): Promise<string> {
  const width = Math.round((height * 16) / 9 / 2) * 2;
  const source = path.join(dir, `source-${height}p.mp4`);
  // Encoded near-losslessly fast, so decoding it costs what a camera upload would.
  await run('/usr/bin/ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
    source,
  ]);
  return source;
}

/** Kilobits per second of media segments in each rendition directory. */
async function rungRates(out: string, durationSeconds: number): Promise<Record<string, number>> {
  const rates: Record<string, number> = {};
  for (const entry of await readdir(out, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    let bytes = 0;
    for (const file of await readdir(path.join(out, entry.name))) {
      if (file.endsWith('.m4s')) bytes += (await stat(path.join(out, entry.name, file))).size;
    }
    if (bytes > 0) rates[entry.name] = (bytes * 8) / durationSeconds / 1000;
  }
  return rates;
}

/** SSIM (and its dB) and PSNR of the 720p rung against the source scaled to 1280x720 with lanczos. */
async function quality720(out: string, source: string): Promise<string> {
  const { stderr } = await run('/usr/bin/ffmpeg', [
    ...['-hide_banner', '-nostdin', '-i', path.join(out, '720p', 'index.m3u8'), '-i', source],
    '-lavfi',
    '[1:v]scale=1280:720:flags=lanczos,setsar=1,split[r1][r2];[0:v]setsar=1,split[d1][d2];' +
      '[d1][r1]ssim;[d2][r2]psnr',
    ...['-f', 'null', '-'],
  ]);
  const ssim = /SSIM .*All:([\d.]+) \(([\d.]+)\)/.exec(stderr);
  const psnr = /PSNR .*average:([\d.]+)/.exec(stderr);
  return `SSIM ${ssim?.[1] ?? '?'} (${ssim?.[2] ?? '?'} dB), PSNR ${psnr?.[1] ?? '?'} dB`;
}

interface Variant {
  label: string;
  preset: string;
  tune?: string;
  only?: string[];
  walls: number[];
  cpus: number[];
  loads: number[];
  rates?: Record<string, number>;
  quality?: string;
}

async function benchSource(work: string, height: number): Promise<string[]> {
  const source = await makeSource(work, height);
  const probed: ProbedMedia = await probeUpload(source);
  const ladder = chooseLadder(probed);
  const top = ladder.at(-1)!.name;
  const variants: Variant[] = [
    {
      label: `single ${top} (${defaultPreset})`,
      preset: defaultPreset,
      only: [top],
      walls: [],
      cpus: [],
      loads: [],
    },
    ...settings.map((s) => ({ ...s, label: `ladder ${s.label}`, walls: [], cpus: [], loads: [] })),
  ];
  // Interleaved runs, so a load change on a shared machine hits every variant alike.
  for (let r = 0; r < runs; r++) {
    for (const v of variants) {
      const out = path.join(work, `out-${height}`);
      const loadBefore = load();
      const cpuBefore = await childCpuSeconds();
      const started = process.hrtime.bigint();
      await transcodeLadder(source, probed, out, { preset: v.preset, tune: v.tune, only: v.only });
      v.walls.push(Number(process.hrtime.bigint() - started) / 1e9);
      v.cpus.push((await childCpuSeconds()) - cpuBefore);
      v.loads.push((loadBefore + load()) / 2);
      if (r === 0) {
        v.rates = await rungRates(out, probed.durationSeconds);
        if (!v.only || v.only.includes('720p')) v.quality = await quality720(out, source);
      }
      await rm(out, { recursive: true, force: true });
    }
  }
  const lines = [
    `source: ${probed.width}x${probed.height}, ${probed.durationSeconds.toFixed(2)} s, ${fps} fps ` +
      `(testsrc2 + 440 Hz tone, x264 ultrafast CRF 18); ladder ${ladder.map((x) => x.name).join(', ')} + audio-only + poster + storyboard`,
  ];
  for (const v of variants) {
    const wall = median(v.walls);
    const cpu = median(v.cpus);
    const rates = Object.entries(v.rates ?? {})
      .sort(([a], [b]) => (Number.parseInt(a, 10) || Infinity) - (Number.parseInt(b, 10) || Infinity))
      .map(([name, kbps]) => `${name} ${kbps.toFixed(0)}`)
      .join(', ');
    lines.push(
      `  ${v.label.padEnd(34)} ${wall.toFixed(2)} s = ${(probed.durationSeconds / wall).toFixed(2)}× realtime; ` +
        `CPU ${cpu.toFixed(2)} s (${(cpu / probed.durationSeconds).toFixed(2)} core-s per source s, ` +
        `≤ ${((2 * probed.durationSeconds) / cpu).toFixed(2)}× realtime on 2 idle cores); ` +
        `load ${Math.min(...v.loads).toFixed(2)}–${Math.max(...v.loads).toFixed(2)}`,
      `  ${''.padEnd(34)} kbit/s: ${rates}${v.quality ? `; 720p rung ${v.quality}` : ''}`,
    );
  }
  return lines;
}

const work = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-transcode-'));
try {
  const uptime = async () => (await run('/usr/bin/uptime')).stdout.trim();
  const output = [
    `transcode: ${os.cpus().length} CPUs, median of ${runs} interleaved runs; default preset ${defaultPreset}`,
    `  at start: ${await uptime()}`,
  ];
  for (const height of values.heights.split(',').map(Number))
    output.push(...(await benchSource(work, height)));
  output.push(
    `  at end:   ${await uptime()}`,
    '  (wall time is × realtime only on an idle machine; under load compare the CPU figures: a setting needing',
    '   more than 2 core-s per source s cannot reach 1× realtime on 2 cores, and "≤ N×" is that CPU bound)',
    '',
  );
  process.stdout.write(output.join('\n'));
} finally {
  await rm(work, { recursive: true, force: true });
}
