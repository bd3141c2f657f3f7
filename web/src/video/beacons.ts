import type { QoeCounters } from './player-core.ts';

/**
 * Sends QoE deltas every `intervalMs` and once more on stop. Failures are ignored: analytics are
 * eventually consistent and must never disturb playback.
 */
export function startBeacons(options: {
  videoId: string;
  /** Read at each send: the app refreshes its token while a video plays. */
  accessToken: () => string;
  read: () => QoeCounters;
  intervalMs?: number;
}): () => void {
  const sessionId = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  let seq = 0;
  let sent: QoeCounters = {
    startupMs: undefined,
    watchedSeconds: 0,
    stallSeconds: 0,
    switches: 0,
    renditionSeconds: {},
  };
  let startupSent = false;

  const send = () => {
    const now = options.read();
    if (seq > 0 && now.watchedSeconds - sent.watchedSeconds < 0.5 && now.stallSeconds === sent.stallSeconds)
      return;
    if (seq === 0 && now.startupMs === undefined) return;
    const renditionSeconds: Record<string, number> = {};
    for (const [name, seconds] of Object.entries(now.renditionSeconds)) {
      const delta = seconds - (sent.renditionSeconds[name] ?? 0);
      if (delta > 0) renditionSeconds[name] = Math.min(120, delta);
    }
    const body = {
      sessionId,
      seq,
      ...(!startupSent && now.startupMs !== undefined ? { startupMs: Math.min(120_000, now.startupMs) } : {}),
      watchedSeconds: Math.min(120, now.watchedSeconds - sent.watchedSeconds),
      stallSeconds: Math.min(120, now.stallSeconds - sent.stallSeconds),
      switches: Math.min(100, now.switches - sent.switches),
      renditionSeconds,
    };
    startupSent ||= now.startupMs !== undefined;
    seq += 1;
    sent = now;
    void fetch(`/api/videos/${options.videoId}/beacons`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.accessToken()}` },
      body: JSON.stringify(body),
      credentials: 'omit',
      keepalive: true,
    }).catch(() => {});
  };
  const timer = window.setInterval(send, options.intervalMs ?? 10_000);
  return () => {
    window.clearInterval(timer);
    send();
  };
}
