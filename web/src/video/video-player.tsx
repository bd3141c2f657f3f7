import { useEffect, useRef, useState } from 'react';
import { startBeacons } from './beacons.ts';
import { attachPlayer, type PlayerHandle, type PlayerState } from './player-core.ts';
import { resumePositions, type PlaybackGrant } from './video-api.ts';

interface VideoPlayerProps {
  grant: PlaybackGrant;
  title: string;
  accessToken: () => string;
}

/**
 * The player: native controls (keyboard accessible), plus labelled quality and caption menus. Quality
 * "Auto" lets hls.js follow the bandwidth; the resume position is kept for this tab.
 */
export function VideoPlayer({ grant, title, accessToken }: VideoPlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const player = useRef<PlayerHandle | undefined>(undefined);
  const [state, setState] = useState<PlayerState | undefined>(undefined);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const handle = attachPlayer(element, grant.masterUrl, {
      startPosition: resumePositions.get(grant.videoId),
      onChange: setState,
    });
    player.current = handle;
    // The viewer just chose this video (a user gesture), so starting playback is what they asked for.
    element.play().catch(() => {});
    const stopBeacons = startBeacons({ videoId: grant.videoId, accessToken, read: handle.qoe });
    return () => {
      resumePositions.set(grant.videoId, element.ended ? 0 : element.currentTime);
      stopBeacons();
      handle.destroy();
      player.current = undefined;
    };
  }, [grant.masterUrl, grant.videoId, accessToken]);

  return (
    <figure className="video-player">
      <video
        ref={video}
        controls
        playsInline
        preload="metadata"
        poster={grant.posterUrl}
        aria-label={title}
      />
      <figcaption className="video-player-controls">
        <label>
          Quality{' '}
          <select
            value={state?.selectedQuality ?? -1}
            onChange={(event) => player.current?.setQuality(Number(event.target.value))}
          >
            <option value={-1}>
              Auto
              {state && state.selectedQuality === -1 && state.playingLevel >= 0
                ? ` (${state.qualities[state.playingLevel]?.label ?? ''})`
                : ''}
            </option>
            {state?.qualities.map((quality) => (
              <option key={quality.index} value={quality.index}>
                {quality.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Captions{' '}
          <select
            value={state?.selectedCaption ?? -1}
            onChange={(event) => player.current?.setCaption(Number(event.target.value))}
            disabled={!state || state.captions.length === 0}
          >
            <option value={-1}>Off</option>
            {state?.captions.map((caption) => (
              <option key={caption.index} value={caption.index}>
                {caption.label}
              </option>
            ))}
          </select>
        </label>
        {state?.error && <p role="alert">{state.error}</p>}
      </figcaption>
    </figure>
  );
}
