import { useState } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import {
  fetchAnalytics,
  fetchCatalogue,
  fetchPlayback,
  type PlaybackGrant,
  type VideoAnalytics,
  type VideoSummary,
} from './video-api.ts';
import { VideoPlayer } from './video-player.tsx';
import './video.css';

/** The catalogue of videos this user may watch; owners also see each video's viewing figures. */
export function VideoLibraryPage() {
  const { api, accessToken } = useSession();
  const [state, reload] = useAsync(() => fetchCatalogue(api), 'catalogue');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [playing, setPlaying] = useState<{ video: VideoSummary; grant: PlaybackGrant } | undefined>(
    undefined,
  );
  const [analytics, setAnalytics] = useState<VideoAnalytics | undefined>(undefined);

  const open = async (video: VideoSummary) => {
    setProblem(undefined);
    setAnalytics(undefined);
    try {
      setPlaying({ video, grant: await fetchPlayback(api, video.id) });
      if (video.canManage) setAnalytics(await fetchAnalytics(api, video.id));
    } catch (error) {
      setProblem(describeApiError(error));
    }
  };

  return (
    <Page title="Videos" lead="Educational videos and tutorials available to you.">
      {problem && <p role="alert">{problem}</p>}
      {playing && (
        <article aria-labelledby="video-now-playing">
          <h2 id="video-now-playing">{playing.video.title}</h2>
          <VideoPlayer grant={playing.grant} title={playing.video.title} accessToken={accessToken} />
          {playing.video.description && <p>{playing.video.description}</p>}
          {analytics && <VideoFigures analytics={analytics} />}
        </article>
      )}
      <AsyncView
        state={state}
        what="the videos"
        onRetry={reload}
        isEmpty={(videos) => videos.length === 0}
        empty={<p>No videos are available to you yet.</p>}
      >
        {(videos) => (
          <ul className="video-list">
            {videos.map((video) => (
              <li key={video.id}>
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={video.status !== 'ready'}
                  onClick={() => void open(video)}
                >
                  {video.title}
                  {video.status !== 'ready' ? ` (${video.status})` : ''}
                </button>
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
    </Page>
  );
}

function VideoFigures({ analytics }: { analytics: VideoAnalytics }) {
  const { total } = analytics;
  return (
    <dl className="video-analytics" aria-label="Viewing figures">
      <dt>Views</dt>
      <dd>{total.views}</dd>
      <dt>Watch time</dt>
      <dd>{Math.round(total.watchSeconds / 60)} min</dd>
      <dt>Average start-up</dt>
      <dd>{total.averageStartupMs === undefined ? '—' : `${Math.round(total.averageStartupMs)} ms`}</dd>
      <dt>Rebuffering</dt>
      <dd>{(total.rebufferingRatio * 100).toFixed(1)} %</dd>
      <dt>Quality watched</dt>
      <dd>
        {Object.entries(total.renditionShare)
          .map(([name, share]) => `${name} ${Math.round(share * 100)} %`)
          .join(', ') || '—'}
      </dd>
      <dt>Institutions</dt>
      <dd>{analytics.byInstitution.length}</dd>
    </dl>
  );
}
