/**
 * Collects items and commits them in batches: the first item waits at most `maxDelayMs` for company,
 * a full batch goes at once, and items that arrive while a batch commits form the next one. Each item's
 * promise settles only with its own batch: resolved after the commit, rejected if it failed.
 */
export interface GroupCommitOptions {
  maxBatch: number;
  maxDelayMs: number;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommitter<T, R> {
  readonly #commit: (items: T[]) => Promise<R[]>;
  readonly #options: GroupCommitOptions;
  #queue: Pending<T, R>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(commit: (items: T[]) => Promise<R[]>, options: GroupCommitOptions) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError('maxBatch ≥ 1');
    this.#commit = commit;
    this.#options = options;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Items waiting or committing. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Commits everything submitted so far. */
  async flush(): Promise<void> {
    while (this.#running || this.#queue.length > 0) {
      if (!this.#running) this.#start();
      await this.#running;
    }
  }

  #schedule(): void {
    if (this.#running) return; // the running loop picks the item up when its batch is done
    if (this.#queue.length >= this.#options.maxBatch || this.#options.maxDelayMs <= 0) {
      this.#start();
    } else {
      this.#timer ??= setTimeout(() => this.#start(), this.#options.maxDelayMs);
    }
  }

  #start(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running) return;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  async #loop(): Promise<void> {
    for (let first = true; this.#queue.length > 0; first = false) {
      // Between batches, let the event loop run: a commit that never waits on I/O (embedded PGlite runs
      // on this thread) under a steady stream of appends would otherwise starve timers and I/O callbacks,
      // checkpoint writes and incoming requests included, for as long as the stream lasts.
      if (!first) await new Promise((resolve) => setImmediate(resolve));
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      try {
        const results = await this.#commit(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i] as R));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }
}
