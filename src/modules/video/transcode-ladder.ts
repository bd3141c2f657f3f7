import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegPath, runMediaTool } from './ffmpeg-process.ts';
import { audioKbps, audioOnlyKbps, audioOnlyName, chooseLadder, type Rendition } from './ladder.ts';
import {
  avcCodecFromInitSegment,
  mediaPlaylistSegments,
  storyboardWebVtt,
  type VariantStream,
} from './master-playlist.ts';
import type { ProbedMedia } from './probe-upload.ts';

export const gopSeconds = 2;
export const segmentSeconds = 4;
export const storyboardTile = { width: 160, height: 90 } as const;
const aacCodec = 'mp4a.40.2';
/**
 * `superfast` (not `veryfast`): about a third less CPU for the whole ladder at ~0.4 dB lower SSIM on the
 * 720p rung at the same capped bitrates (`node bin/bench.js transcode` measures both), which keeps the full
 * ladder above realtime on 2 cores.
 */
export const defaultPreset = 'superfast';

export interface TranscodeOptions {
  signal?: AbortSignal;
  /** 0..1 of the source's duration encoded so far. */
  onProgress?: (fraction: number) => void;
  /** x264 preset (default {@link defaultPreset}). */
  preset?: string;
  /** x264 tune (none by default; the benchmark measures `fastdecode` and `zerolatency`). */
  tune?: string;
  /** Only the first N renditions. */
  limitRenditions?: number;
  /** Only the renditions with these names (the benchmark's single-rendition baseline). */
  only?: readonly string[];
}

/** What was produced under the output directory, with measured bitrates for the master playlist. */
export interface TranscodeResult {
  renditions: (Rendition & { variant: VariantStream })[];
  audioOnly: VariantStream | undefined;
  poster: string;
  sprite: string;
  storyboard: string;
  frameRate: number;
}

/** Output frame rate: the source's, at most 30 (also the fallback when the source does not say). */
export function outputFrameRate(source: ProbedMedia): number {
  return source.frameRate > 0 && source.frameRate <= 30 ? source.frameRate : 30;
}

function storyboardLayout(durationSeconds: number) {
  const intervalSeconds = Math.max(2, Math.ceil(durationSeconds / 100));
  const count = Math.max(1, Math.ceil(durationSeconds / intervalSeconds));
  const columns = Math.min(10, count);
  return { intervalSeconds, count, columns, rows: Math.ceil(count / columns) };
}

/**
 * The filter graph: decode once, then a scaling chain from the top rendition down (each rung scaled from the
 * next larger one, so the small rungs never pay for a full-resolution scale), plus a poster branch that stops
 * after its one frame and a storyboard branch that keeps one frame per tile before scaling.
 */
export function ladderFilterGraph(probed: ProbedMedia, renditions: readonly Rendition[]): string {
  const board = storyboardLayout(probed.durationSeconds);
  const posterAt = Math.min(1, probed.durationSeconds / 2).toFixed(3);
  const fpsFilter = probed.frameRate > 0 && probed.frameRate <= 30 ? '' : 'fps=30,';
  const filters = [`[0:v]${fpsFilter}split=3[c${renditions.length}][sp][sq]`];
  for (let i = renditions.length - 1; i >= 0; i--) {
    const r = renditions[i]!;
    const out = i > 0 ? `,split=2[e${i}][c${i}];[e${i}]setsar=1[v${i}]` : `,setsar=1[v${i}]`;
    filters.push(`[c${i + 1}]scale=${r.width}:${r.height}${out}`);
  }
  filters.push(
    `[sp]fps=1/${board.intervalSeconds},scale=${storyboardTile.width}:${storyboardTile.height}:force_original_aspect_ratio=decrease,` +
      `pad=${storyboardTile.width}:${storyboardTile.height}:(ow-iw)/2:(oh-ih)/2,tile=${board.columns}x${board.rows}[sprite]`,
    `[sq]trim=start=${posterAt},trim=end_frame=1,setpts=PTS-STARTPTS,scale=-2:360[poster]`,
  );
  return filters.join(';');
}

/** The ffmpeg arguments: one process decodes once and encodes every rendition, the poster and the sprite. */
export function ladderArguments(
  source: string,
  probed: ProbedMedia,
  outDir: string,
  renditions: readonly Rendition[],
  encoder: { preset: string; tune?: string },
): string[] {
  const fps = outputFrameRate(probed);
  const gop = Math.round(gopSeconds * fps);
  const n = renditions.length;
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-protocol_whitelist', 'file'];
  args.push('-f', probed.format, '-i', source, '-filter_complex', ladderFilterGraph(probed, renditions));
  renditions.forEach((_, i) => args.push('-map', `[v${i}]`));
  const audioStreams = probed.hasAudio ? n + 1 : 0;
  for (let i = 0; i < audioStreams; i++) args.push('-map', '0:a:0');
  args.push('-c:v', 'libx264', '-preset', encoder.preset, '-profile:v', 'main', '-pix_fmt', 'yuv420p');
  if (encoder.tune) args.push('-tune', encoder.tune);
  args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0');
  args.push(
    '-force_key_frames',
    `expr:gte(t,n_forced*${gopSeconds})`,
    '-x264-params',
    'scenecut=0:open_gop=0',
  );
  renditions.forEach((r, i) => {
    args.push(`-b:v:${i}`, `${r.videoKbps}k`, `-maxrate:v:${i}`, `${Math.round(r.videoKbps * 1.1)}k`);
    args.push(`-bufsize:v:${i}`, `${r.videoKbps * 2}k`, `-level:v:${i}`, (r.level / 10).toFixed(1));
  });
  if (audioStreams > 0) {
    args.push(
      '-c:a',
      'aac',
      '-ac',
      '2',
      '-ar',
      '48000',
      '-b:a',
      `${audioKbps}k`,
      `-b:a:${n}`,
      `${audioOnlyKbps}k`,
    );
  }
  const streamMap = renditions.map((r, i) => `v:${i}${audioStreams > 0 ? `,a:${i}` : ''},name:${r.name}`);
  if (audioStreams > 0) streamMap.push(`a:${n},name:${audioOnlyName}`);
  args.push('-f', 'hls', '-hls_time', String(segmentSeconds), '-hls_playlist_type', 'vod');
  args.push(
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'independent_segments',
    '-hls_fmp4_init_filename',
    'init.mp4',
  );
  args.push('-hls_segment_filename', path.join(outDir, '%v', 'segment-%05d.m4s'));
  args.push('-var_stream_map', streamMap.join(' '), path.join(outDir, '%v', 'index.m3u8'));
  args.push('-map', '[poster]', '-frames:v', '1', '-q:v', '3', path.join(outDir, 'poster.jpg'));
  args.push('-map', '[sprite]', '-frames:v', '1', '-q:v', '5', path.join(outDir, 'storyboard.jpg'));
  args.push('-progress', 'pipe:1', '-nostats');
  return args;
}

/**
 * Encodes the HLS fMP4 ladder (aligned 2 s GOPs, 4 s segments), the audio-only rendition, a poster and a
 * storyboard sprite with its WebVTT track into `outDir`, then measures each variant for the master playlist.
 */
export async function transcodeLadder(
  source: string,
  probed: ProbedMedia,
  outDir: string,
  options: TranscodeOptions = {},
): Promise<TranscodeResult> {
  const renditions = chooseLadder(probed)
    .slice(0, options.limitRenditions)
    .filter((r) => !options.only || options.only.includes(r.name));
  for (const r of [...renditions.map((r) => r.name), audioOnlyName])
    await mkdir(path.join(outDir, r), { recursive: true });
  const args = ladderArguments(source, probed, outDir, renditions, {
    preset: options.preset ?? defaultPreset,
    tune: options.tune,
  });
  await runMediaTool(ffmpegPath, args, {
    signal: options.signal,
    onProgress: (fields) => {
      const done = Number(fields.out_time_us ?? fields.out_time_ms ?? 0) / 1e6;
      if (fields.progress === 'end') options.onProgress?.(1);
      else if (done > 0) options.onProgress?.(Math.min(0.99, done / probed.durationSeconds));
    },
  });
  const board = storyboardLayout(probed.durationSeconds);
  await writeFile(
    path.join(outDir, 'storyboard.vtt'),
    storyboardWebVtt({
      sprite: 'storyboard.jpg',
      durationSeconds: probed.durationSeconds,
      intervalSeconds: board.intervalSeconds,
      columns: board.columns,
      tile: storyboardTile,
    }),
  );
  const frameRate = outputFrameRate(probed);
  const audioCodecs = probed.hasAudio ? `,${aacCodec}` : '';
  const measured = [];
  for (const r of renditions) {
    const dir = path.join(outDir, r.name);
    const rates = await measureVariant(dir);
    const avc = avcCodecFromInitSegment(await readFile(path.join(dir, rates.initSegment)));
    measured.push({
      ...r,
      variant: {
        uri: `${r.name}/index.m3u8`,
        ...rateFields(rates),
        codecs: `${avc ?? 'avc1.4d401e'}${audioCodecs}`,
        resolution: { width: r.width, height: r.height },
        frameRate,
      },
    });
  }
  const audioOnly = probed.hasAudio
    ? {
        uri: `${audioOnlyName}/index.m3u8`,
        ...rateFields(await measureVariant(path.join(outDir, audioOnlyName))),
        codecs: aacCodec,
      }
    : undefined;
  return {
    renditions: measured,
    audioOnly,
    poster: 'poster.jpg',
    sprite: 'storyboard.jpg',
    storyboard: 'storyboard.vtt',
    frameRate,
  };
}

/** Peak and average bits per second over the segments (init segment counted once in the average). */
async function measureVariant(
  dir: string,
): Promise<{ peakBitsPerSecond: number; averageBitsPerSecond: number; initSegment: string }> {
  const playlist = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
  const initSegment = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1] ?? 'init.mp4';
  const segments = mediaPlaylistSegments(playlist);
  let peak = 0;
  let totalBits = 0;
  let totalSeconds = 0;
  for (const segment of segments) {
    const bits = (await stat(path.join(dir, segment.uri))).size * 8;
    if (segment.durationSeconds > 0.5) peak = Math.max(peak, bits / segment.durationSeconds);
    totalBits += bits;
    totalSeconds += segment.durationSeconds;
  }
  const initBits = (await stat(path.join(dir, initSegment))).size * 8;
  const average = totalSeconds > 0 ? (totalBits + initBits) / totalSeconds : 0;
  return { peakBitsPerSecond: Math.max(peak, average), averageBitsPerSecond: average, initSegment };
}

function rateFields(rates: { peakBitsPerSecond: number; averageBitsPerSecond: number }) {
  return { peakBitsPerSecond: rates.peakBitsPerSecond, averageBitsPerSecond: rates.averageBitsPerSecond };
}

/** Every file under `dir`, as paths relative to it. */
export async function listOutputFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listOutputFiles(dir, relative)));
    else files.push(relative);
  }
  return files;
}
