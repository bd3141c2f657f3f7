import Hls, { type HlsConfig } from 'hls.js';

/** One quality the viewer can pick; `index` -1 is "Auto". */
export interface QualityOption {
  index: number;
  label: string;
  height: number | undefined;
  bitrate: number;
}

export interface CaptionOption {
  index: number;
  label: string;
  language: string | undefined;
}

/** Quality-of-experience counters, reported to the server as deltas (see beacons.ts). */
export interface QoeCounters {
  startupMs: number | undefined;
  watchedSeconds: number;
  stallSeconds: number;
  switches: number;
  renditionSeconds: Record<string, number>;
}

export interface PlayerState {
  qualities: QualityOption[];
  /** -1 when the player chooses (auto). */
  selectedQuality: number;
  /** The level actually playing. */
  playingLevel: number;
  captions: CaptionOption[];
  selectedCaption: number;
  engine: 'hls.js' | 'native' | 'unsupported';
  error: string | undefined;
}

export interface PlayerHandle {
  state(): PlayerState;
  qoe(): QoeCounters;
  setQuality(index: number): void;
  setCaption(index: number): void;
  destroy(): void;
}

export interface PlayerOptions {
  startPosition?: number;
  onChange?: (state: PlayerState) => void;
  /** Overrides for hls.js (tests shrink the buffer so the network matters). */
  hlsConfig?: Partial<HlsConfig>;
  /** Force an engine (tests); by default hls.js where MSE exists, else native HLS (Safari, iOS). */
  engine?: 'hls.js' | 'native';
}

function levelName(height: number | undefined, bitrate: number): string {
  return height ? `${height}p` : `${Math.round(bitrate / 1000)} kbps`;
}

/**
 * Attaches HLS playback to a <video>: hls.js with its bandwidth-driven quality choice, or the browser's own
 * HLS. It degrades instead of failing: a rendition that cannot be fetched is dropped (hls.js moves to
 * another level) and a media error is recovered once before giving up with a readable message.
 */
export function attachPlayer(
  video: HTMLVideoElement,
  src: string,
  options: PlayerOptions = {},
): PlayerHandle {
  const started = performance.now();
  const qoe: QoeCounters = {
    startupMs: undefined,
    watchedSeconds: 0,
    stallSeconds: 0,
    switches: 0,
    renditionSeconds: {},
  };
  const state: PlayerState = {
    qualities: [],
    selectedQuality: -1,
    playingLevel: -1,
    captions: [],
    selectedCaption: -1,
    engine: 'unsupported',
    error: undefined,
  };
  const changed = () => options.onChange?.({ ...state });
  let hls: Hls | undefined;
  let stalledAt: number | undefined;
  let lastTime = video.currentTime;
  const cleanups: (() => void)[] = [];
  const on = <K extends keyof HTMLVideoElementEventMap>(type: K, fn: () => void) => {
    video.addEventListener(type, fn);
    cleanups.push(() => video.removeEventListener(type, fn));
  };

  const firstFrame = () => {
    if (qoe.startupMs === undefined) qoe.startupMs = performance.now() - started;
  };
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(firstFrame);
  else on('playing', firstFrame);
  on('waiting', () => {
    if (qoe.startupMs !== undefined) stalledAt ??= performance.now();
  });
  const endStall = () => {
    if (stalledAt !== undefined) qoe.stallSeconds += (performance.now() - stalledAt) / 1000;
    stalledAt = undefined;
  };
  on('playing', endStall);
  on('timeupdate', () => {
    const delta = video.currentTime - lastTime;
    lastTime = video.currentTime;
    if (delta <= 0 || delta > 2) return; // seeks are not watch time
    qoe.watchedSeconds += delta;
    const level = state.qualities.find((q) => q.index === state.playingLevel);
    const name = level ? levelName(level.height, level.bitrate) : 'native';
    qoe.renditionSeconds[name] = (qoe.renditionSeconds[name] ?? 0) + delta;
  });

  const useHlsJs = options.engine === 'hls.js' || (options.engine !== 'native' && Hls.isSupported());
  if (useHlsJs) {
    state.engine = 'hls.js';
    hls = new Hls({
      startPosition: options.startPosition ?? -1,
      capLevelToPlayerSize: false,
      ...options.hlsConfig,
    });
    let recovered = false;
    hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
      state.qualities = data.levels.map((level, index) => ({
        index,
        label: levelName(level.height || undefined, level.bitrate),
        height: level.height || undefined,
        bitrate: level.bitrate,
      }));
      changed();
    });
    hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_event, data) => {
      state.captions = data.subtitleTracks.map((track, index) => ({
        index,
        label: track.name,
        language: track.lang,
      }));
      changed();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
      if (state.playingLevel !== -1 && state.playingLevel !== data.level) qoe.switches += 1;
      state.playingLevel = data.level;
      changed();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        hls?.recoverMediaError();
        return;
      }
      state.error =
        data.type === Hls.ErrorTypes.NETWORK_ERROR
          ? 'The video could not be loaded. Check your connection and try again.'
          : 'The video could not be played in this browser.';
      changed();
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    state.engine = 'native';
    video.src = src;
    if (options.startPosition) video.currentTime = options.startPosition;
  } else {
    state.error = 'This browser cannot play streaming video.';
  }
  changed();

  return {
    state: () => ({ ...state }),
    qoe: () => ({ ...qoe, renditionSeconds: { ...qoe.renditionSeconds } }),
    setQuality(index) {
      state.selectedQuality = index;
      if (hls) hls.currentLevel = index;
      changed();
    },
    setCaption(index) {
      state.selectedCaption = index;
      if (hls) {
        hls.subtitleTrack = index;
        hls.subtitleDisplay = index >= 0;
      } else {
        for (const [i, track] of Array.from(video.textTracks).entries()) {
          track.mode = i === index ? 'showing' : 'disabled';
        }
      }
      changed();
    },
    destroy() {
      endStall();
      for (const cleanup of cleanups) cleanup();
      hls?.destroy();
    },
  };
}
