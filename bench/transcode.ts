/**
 * Transcode speed relative to realtime (SPEC §7: "≥ 1× realtime for the full ladder on 2 cores"): the full
 * HLS ladder (every rung up to the source, audio-only, poster, storyboard) beside a single rendition at the
 * source's own height, encoded from the same synthetic clip in the same run.
 *
 *   node bin/bench.js transcode [--seconds 10] [--height 1080] [--preset veryfast] [--runs 2]
 *
 * Reports the median of the runs; it does not assert timings.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { chooseLadder } from '../src/modules/video/ladder.ts';
import { probeUpload } from '../src/modules/video/probe-upload.ts';
import { transcodeLadder } from '../src/modules/video/transcode-ladder.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    height: { type: 'string', default: '1080' },
    preset: { type: 'string', default: 'veryfast' },
    runs: { type: 'string', default: '2' },
  },
});
const seconds = Number(values.seconds);
const height = Number(values.height);
const width = Math.round((height * 16) / 9 / 2) * 2;
const runs = Number(values.runs);

const work = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-transcode-'));
try {
  const source = path.join(work, 'source.mp4');
  // The source is encoded near-losslessly fast, so decoding it costs what a camera upload would.
  await promisify(execFile)('/usr/bin/ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '18',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      source,
    ],
  ]);
  const probed = await probeUpload(source);
  const ladder = chooseLadder(probed);
  const top = ladder.at(-1)!.name;

  // Interleaved runs, so a load change on a shared machine hits both variants alike.
  const times = { ladder: [] as number[], single: [] as number[] };
  for (let run = 0; run < runs; run++) {
    for (const variant of ['ladder', 'single'] as const) {
      const out = path.join(work, `${variant}-${run}`);
      const started = process.hrtime.bigint();
      await transcodeLadder(source, probed, out, {
        preset: values.preset,
        only: variant === 'single' ? [top] : undefined,
      });
      times[variant].push(Number(process.hrtime.bigint() - started) / 1e9);
      await rm(out, { recursive: true, force: true });
    }
  }
  const summary = (list: number[]) => {
    const median = [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    return { median, realtime: probed.durationSeconds / median };
  };
  const full = summary(times.ladder);
  const single = summary(times.single);
  const cpus = os.cpus().length;
  process.stdout.write(
    [
      `transcode: ${seconds} s ${width}x${height} source, preset ${values.preset}, ${cpus} CPUs, median of ${runs}`,
      `  full ladder (${ladder.map((r) => r.name).join(', ')} + audio-only + poster + storyboard): ` +
        `${full.median.toFixed(2)} s = ${full.realtime.toFixed(2)}× realtime`,
      `  baseline, single ${top} rendition (+ audio-only, poster, storyboard):       ` +
        `${single.median.toFixed(2)} s = ${single.realtime.toFixed(2)}× realtime`,
      `  ladder costs ${(full.median / single.median).toFixed(2)}× the single rendition`,
      '',
    ].join('\n'),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
