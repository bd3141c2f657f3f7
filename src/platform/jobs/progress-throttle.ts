import type { JobProgress } from './types.ts';

/**
 * Turns a handler's progress reports (possibly one per frame) into at most one write per `intervalMs`:
 * the first report is written at once, later ones within the interval collapse into a trailing write of
 * the latest value. Writes never overlap, so they land in order.
 */
export class ProgressThrottle {
  readonly #intervalMs: number;
  readonly #write: (progress: JobProgress) => Promise<void>;
  #pending: JobProgress | undefined;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(intervalMs: number, write: (progress: JobProgress) => Promise<void>) {
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  report(fraction: number, message?: string): Promise<void> {
    if (this.#closed || !Number.isFinite(fraction)) return Promise.resolve();
    this.#pending = { fraction: Math.min(1, Math.max(0, fraction)), message };
    if (this.#timer) return Promise.resolve();
    const wait = this.#lastWriteAt + this.#intervalMs - Date.now();
    if (wait <= 0) return this.#flush();
    this.#timer = setTimeout(() => void this.#flush(), wait);
    return Promise.resolve();
  }

  /** Drops any trailing write: the job's outcome is written next. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  #flush(): Promise<void> {
    this.#timer = undefined;
    const progress = this.#pending;
    this.#pending = undefined;
    if (!progress || this.#closed) return this.#writing;
    this.#lastWriteAt = Date.now();
    // `write` logs its own failures; a failed progress write must not fail the job.
    this.#writing = this.#writing.then(() => this.#write(progress)).catch(() => {});
    return this.#writing;
  }
}
