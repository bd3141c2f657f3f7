import { AppError } from '../../platform/errors/index.ts';

export interface Cue {
  startMs: number;
  endMs: number;
  text: string;
}

export const maxCaptionBytes = 1_048_576;
const timing = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})(?:\s+.*)?$/;

function parseTimestamp(text: string): number {
  const [clock, fraction] = text.replace(',', '.').split('.') as [string, string];
  const parts = clock.split(':').map(Number);
  while (parts.length < 3) parts.unshift(0);
  const [h, m, s] = parts as [number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000 + Number(fraction);
}

/** Keeps WebVTT's harmless styling tags (<b>, <i>, <u>) and drops any other markup. */
function cleanText(text: string): string {
  return text.replace(/<(?!\/?[biu]>)[^>]*>/g, '').trim();
}

/**
 * Parses an uploaded WebVTT or SubRip file into cues (the timing line decides; numbering and headers are
 * ignored). A file without one valid cue is refused with a message the uploader can act on.
 */
export function parseCaptions(source: string): Cue[] {
  if (Buffer.byteLength(source) > maxCaptionBytes) {
    throw new AppError('payload_too_large', 'Caption files are limited to 1 MB.');
  }
  const cues: Cue[] = [];
  const blocks = source
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n');
    const timingIndex = lines.findIndex((line) => timing.test(line));
    if (timingIndex < 0) continue;
    const match = timing.exec(lines[timingIndex]!)!;
    const startMs = parseTimestamp(match[1]!);
    const endMs = parseTimestamp(match[2]!);
    const text = cleanText(lines.slice(timingIndex + 1).join('\n'));
    if (endMs <= startMs || text === '') continue;
    cues.push({ startMs, endMs, text });
  }
  if (cues.length === 0) {
    throw new AppError('unprocessable', 'The caption file has no cues: upload WebVTT or SRT subtitles.', {
      reason: 'captions_without_cues',
    });
  }
  return cues.sort((a, b) => a.startMs - b.startMs);
}

export function formatTimestamp(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(Math.round(ms % 1000), 3)}`;
}

export function formatWebVtt(cues: readonly Cue[]): string {
  const body = cues.map(
    (cue) => `${formatTimestamp(cue.startMs)} --> ${formatTimestamp(cue.endMs)}\n${cue.text}`,
  );
  return `WEBVTT\n\n${body.join('\n\n')}\n`;
}

/** A one-segment VOD playlist for a WebVTT subtitle rendition. */
export function subtitlePlaylist(vttFile: string, durationSeconds: number): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(durationSeconds))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${durationSeconds.toFixed(3)},`,
    vttFile,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}
