/** What the pipeline measured for one variant stream of the master playlist. */
export interface VariantStream {
  /** Playlist path relative to the master, e.g. `360p/index.m3u8`. */
  uri: string;
  /** Peak segment bitrate (bits/s), as HLS BANDWIDTH requires. */
  peakBitsPerSecond: number;
  averageBitsPerSecond: number;
  /** RFC 6381 codec strings, e.g. `avc1.4d401e,mp4a.40.2`. */
  codecs: string;
  resolution?: { width: number; height: number };
  frameRate?: number;
}

export interface SubtitleRendition {
  language: string;
  name: string;
  uri: string;
}

function quoted(value: string): string {
  return `"${value.replace(/["\r\n]/g, '')}"`;
}

/**
 * The master playlist: video variants in the order given (the lowest first, so a player that starts on
 * the first variant starts fast), the audio-only variant last, and an optional WebVTT subtitle group.
 */
export function buildMasterPlaylist(
  variants: readonly VariantStream[],
  subtitles: readonly SubtitleRendition[],
): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const [index, subtitle] of subtitles.entries()) {
    lines.push(
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs"' +
        `,NAME=${quoted(subtitle.name)},LANGUAGE=${quoted(subtitle.language)}` +
        `,DEFAULT=NO,AUTOSELECT=${index === 0 ? 'YES' : 'NO'},FORCED=NO,URI=${quoted(subtitle.uri)}`,
    );
  }
  for (const variant of variants) {
    const attributes = [
      `BANDWIDTH=${Math.ceil(variant.peakBitsPerSecond)}`,
      `AVERAGE-BANDWIDTH=${Math.ceil(variant.averageBitsPerSecond)}`,
      `CODECS=${quoted(variant.codecs)}`,
    ];
    if (variant.resolution)
      attributes.push(`RESOLUTION=${variant.resolution.width}x${variant.resolution.height}`);
    if (variant.frameRate) attributes.push(`FRAME-RATE=${variant.frameRate.toFixed(3)}`);
    if (subtitles.length > 0) attributes.push('SUBTITLES="subs"');
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, variant.uri);
  }
  return `${lines.join('\n')}\n`;
}

/** Segment durations from a media playlist's EXTINF tags, in order, with their URIs. */
export function mediaPlaylistSegments(playlist: string): { uri: string; durationSeconds: number }[] {
  const segments: { uri: string; durationSeconds: number }[] = [];
  const lines = playlist.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const match = /^#EXTINF:([\d.]+)/.exec(lines[i]!);
    if (!match) continue;
    const uri = lines.slice(i + 1).find((line) => line !== '' && !line.startsWith('#'));
    if (uri) segments.push({ uri, durationSeconds: Number(match[1]) });
  }
  return segments;
}

/** The `avc1.PPCCLL` codec string from the avcC box of an fMP4 init segment. */
export function avcCodecFromInitSegment(init: Uint8Array): string | undefined {
  const at = Buffer.from(init).indexOf('avcC');
  if (at < 0 || at + 8 > init.length) return undefined;
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `avc1.${hex(init[at + 5]!)}${hex(init[at + 6]!)}${hex(init[at + 7]!)}`;
}

/** Storyboard thumbnails as a WebVTT track whose cues point into one sprite image (`#xywh=`). */
export function storyboardWebVtt(options: {
  sprite: string;
  durationSeconds: number;
  intervalSeconds: number;
  columns: number;
  tile: { width: number; height: number };
}): string {
  const { sprite, durationSeconds, intervalSeconds, columns, tile } = options;
  const count = Math.ceil(durationSeconds / intervalSeconds);
  const cues: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * intervalSeconds;
    const end = Math.min(durationSeconds, start + intervalSeconds);
    const x = (i % columns) * tile.width;
    const y = Math.floor(i / columns) * tile.height;
    cues.push(`${stamp(start)} --> ${stamp(end)}\n${sprite}#xywh=${x},${y},${tile.width},${tile.height}`);
  }
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

function stamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor((ms % 3_600_000) / 60_000))}:${pad(Math.floor((ms % 60_000) / 1000))}.${pad(ms % 1000, 3)}`;
}
