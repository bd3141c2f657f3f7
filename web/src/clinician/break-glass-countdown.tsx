import { useEffect, useState } from 'react';

function remaining(expiresAt: string, now: number): string {
  const seconds = Math.max(0, Math.floor((new Date(expiresAt).getTime() - now) / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The time left on a break-glass grant; says so when it has ended. */
export function BreakGlassCountdown({ expiresAt, onExpired }: { expiresAt: string; onExpired: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const ended = new Date(expiresAt).getTime() <= now;
  useEffect(() => {
    if (ended) {
      onExpired();
      return;
    }
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [ended, onExpired]);
  return (
    <div className="break-glass-active" role="status">
      <strong>Emergency access active.</strong> Every access is flagged and reviewed by the privacy office.{' '}
      <span>
        Time left: <span className="countdown">{remaining(expiresAt, now)}</span>
      </span>
    </div>
  );
}
