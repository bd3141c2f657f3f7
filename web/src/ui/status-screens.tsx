import { useEffect } from 'react';
import { BrandMark } from './brand-mark.tsx';

export function LoadingScreen({ text }: { text: string }) {
  useEffect(() => {
    document.title = 'Loading — Carebase';
  }, []);
  return (
    <main className="status-screen">
      <BrandMark />
      <div className="status-screen-body" role="status">
        <span className="spinner" aria-hidden="true" />
        <span>{text}</span>
      </div>
    </main>
  );
}

interface ProblemScreenProps {
  title: string;
  message: string;
  onRetry: () => void;
  onSignOut: () => void;
}

export function ProblemScreen({ title, message, onRetry, onSignOut }: ProblemScreenProps) {
  useEffect(() => {
    document.title = `${title} — Carebase`;
  }, [title]);
  return (
    <main className="status-screen">
      <BrandMark />
      <div className="status-screen-card">
        <h1>{title}</h1>
        <p role="alert" className="alert alert-error">
          {message}
        </p>
        <div className="button-row">
          <button type="button" className="button button-primary" onClick={onRetry}>
            Try again
          </button>
          <button type="button" className="button button-secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
    </main>
  );
}
