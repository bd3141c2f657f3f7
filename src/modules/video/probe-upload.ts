import { ffprobePath, MediaToolError, readableToolError, runMediaTool } from './ffmpeg-process.ts';

/** What the pipeline needs to know about an upload, from ffprobe, never from its name or declared type. */
export interface ProbedMedia {
  /** The demuxer ffprobe chose; passed to ffmpeg with `-f` so it cannot re-guess. */
  format: string;
  durationSeconds: number;
  width: number;
  height: number;
  frameRate: number;
  hasAudio: boolean;
  videoCodec: string;
}

export class RejectedUploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RejectedUploadError';
  }
}

/**
 * Container demuxers accepted. Playlist-like formats (hls, concat, image sequences…) are refused: they
 * would make ffmpeg open other files named inside the upload.
 */
const acceptedFormats = new Map<string, string>([
  ['mov', 'mov'],
  ['mp4', 'mov'],
  ['m4a', 'mov'],
  ['3gp', 'mov'],
  ['matroska', 'matroska'],
  ['webm', 'matroska'],
  ['avi', 'avi'],
  ['mpegts', 'mpegts'],
  ['mpeg', 'mpeg'],
  ['flv', 'flv'],
  ['ogg', 'ogg'],
]);

export interface ProbeLimits {
  maxDurationSeconds: number;
  maxPixels: number;
  timeoutMs: number;
}

export const defaultProbeLimits: ProbeLimits = {
  maxDurationSeconds: 3 * 3600,
  maxPixels: 4096 * 2304,
  timeoutMs: 20_000,
};

function parseRate(rate: string | undefined): number {
  const [num, den] = (rate ?? '0/1').split('/').map(Number) as [number, number | undefined];
  const value = den ? num / den : num;
  return Number.isFinite(value) ? value : 0;
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    disposition?: { attached_pic?: number };
  }[];
}

/**
 * Probes a local file as hostile input: only the `file` protocol, a timeout, bounded output. Throws
 * RejectedUploadError with a sentence the uploader can act on when it is not a usable video.
 */
export async function probeUpload(
  file: string,
  limits: ProbeLimits = defaultProbeLimits,
): Promise<ProbedMedia> {
  let output: string;
  try {
    output = await runMediaTool(
      ffprobePath,
      [
        '-v',
        'error',
        '-protocol_whitelist',
        'file',
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        file,
      ],
      { timeoutMs: limits.timeoutMs, maxStdoutBytes: 1_048_576 },
    );
  } catch (error) {
    if (error instanceof MediaToolError) {
      throw new RejectedUploadError(`The file could not be read as a video (${readableToolError(error)}).`);
    }
    throw error;
  }
  const probed = JSON.parse(output) as FfprobeJson;
  const formatNames = (probed.format?.format_name ?? '').split(',');
  const format = formatNames.map((name) => acceptedFormats.get(name)).find((f) => f !== undefined);
  if (!format) {
    throw new RejectedUploadError(
      `This file is not a supported video container (found "${formatNames[0] || 'unknown'}"). Upload MP4, MOV, WebM, MKV, AVI or MPEG-TS.`,
    );
  }
  const video = probed.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) throw new RejectedUploadError('The file has no video stream.');
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width < 16 || height < 16 || width > 8192 || height > 8192 || width * height > limits.maxPixels) {
    throw new RejectedUploadError(`The video's dimensions (${width}×${height}) are not supported.`);
  }
  const durationSeconds = Number(probed.format?.duration ?? 0);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0.1) {
    throw new RejectedUploadError('The video has no duration: it is empty or damaged.');
  }
  if (durationSeconds > limits.maxDurationSeconds) {
    throw new RejectedUploadError(
      `The video is too long (${Math.round(durationSeconds / 60)} min; the limit is ${Math.round(limits.maxDurationSeconds / 60)} min).`,
    );
  }
  return {
    format,
    durationSeconds,
    width,
    height,
    frameRate: parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate),
    hasAudio: probed.streams?.some((s) => s.codec_type === 'audio') ?? false,
    videoCodec: video.codec_name ?? 'unknown',
  };
}
