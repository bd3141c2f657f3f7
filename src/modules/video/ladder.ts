/** One rung of the HLS ladder. Bitrates are targets for x264's VBV (maxrate 110 %, buffer 2 s). */
export interface Rendition {
  /** Directory name under the video's HLS prefix, e.g. `360p`. */
  name: string;
  width: number;
  height: number;
  videoKbps: number;
  /** H.264 level_idc (30 = 3.0); declared to x264 so CODECS in the master playlist is truthful. */
  level: number;
}

interface Rung {
  height: number;
  videoKbps: number;
  level: number;
}

const rungs: readonly Rung[] = [
  { height: 240, videoKbps: 400, level: 30 },
  { height: 360, videoKbps: 800, level: 30 },
  { height: 720, videoKbps: 2_800, level: 31 },
  { height: 1080, videoKbps: 5_000, level: 40 },
];

export const audioKbps = 96;
/** The audio-only variant for poor networks. */
export const audioOnlyKbps = 64;
export const audioOnlyName = 'audio';

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The renditions for a source: every rung not above the source's height (never upscale), lowest first. A
 * source smaller than the lowest rung gets one rendition at its own size.
 */
export function chooseLadder(source: { width: number; height: number }): Rendition[] {
  const aspect = source.width / source.height;
  const fitting = rungs.filter((rung) => rung.height <= source.height);
  const chosen: Rung[] =
    fitting.length > 0 ? fitting : [{ height: even(source.height), videoKbps: 300, level: 30 }];
  return chosen.map((rung) => ({
    name: `${rung.height}p`,
    width: even(rung.height * aspect),
    height: rung.height,
    videoKbps: rung.videoKbps,
    level: rung.level,
  }));
}
