import {
  type JobProgress,
  type JobStatus,
  type JobStore,
  recordProgress,
  type Transition,
} from '@media-server/jobs';
import type { Logger } from 'pino';

/**
 * Writes one job's status document on behalf of the worker that holds the job. Every write goes through
 * one queue (so this process never races itself), progress is written at most every `intervalMs`, and the
 * same writes serve as the heartbeat peers and the reconciler read. When a write finds that another worker
 * has claimed the job since, `onLost` is called and nothing more is written.
 */
export class StatusWriter {
  readonly #store: JobStore;
  readonly #jobId: string;
  readonly #workerId: string;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #onLost: () => void;
  #queue: Promise<unknown> = Promise.resolve();
  #pending: JobProgress | undefined;
  #lastWriteAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;
  #lost = false;

  constructor(options: {
    store: JobStore;
    jobId: string;
    workerId: string;
    intervalMs: number;
    log: Logger;
    onLost: () => void;
  }) {
    this.#store = options.store;
    this.#jobId = options.jobId;
    this.#workerId = options.workerId;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log;
    this.#onLost = options.onLost;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** Applies `update` in this job's write queue. */
  update(update: (current: JobStatus | undefined) => JobStatus | undefined): Promise<JobStatus | undefined> {
    const run = this.#queue.then(() => this.#store.updateStatus(this.#jobId, update));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Applies a pure transition in this job's write queue; answers the status written or the refusal. */
  transition(next: (current: JobStatus | undefined) => Transition): Promise<Transition> {
    const run = this.#queue.then(() => this.#store.transition(this.#jobId, next));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the heartbeat: even without progress (a long download), the status is touched every 5 intervals. */
  startHeartbeat(): void {
    this.#lastWriteAt = Date.now();
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastWriteAt >= this.#intervalMs * 5) this.#flush();
    }, this.#intervalMs);
    this.#heartbeat.unref();
  }

  /** Records progress; written now if the last write is older than the interval, else at the interval. */
  progress(progress: JobProgress): void {
    if (this.#closed || this.#lost) return;
    this.#pending = progress;
    const due = this.#lastWriteAt + this.#intervalMs - Date.now();
    if (due <= 0) this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, due);
      this.#timer.unref();
    }
  }

  #flush(): void {
    if (this.#closed || this.#lost) return;
    const progress = this.#pending;
    this.#pending = undefined;
    this.#lastWriteAt = Date.now();
    this.update((current) => {
      if (this.#closed) return undefined;
      const next = recordProgress(current, { workerId: this.#workerId, progress, now: Date.now() });
      if (!next.ok) {
        this.#lost = true;
        return undefined;
      }
      return next.status;
    })
      .then(() => {
        if (this.#lost) {
          this.#log.warn('another worker claimed this job; stopping');
          this.#onLost();
        }
      })
      .catch((error: unknown) => this.#log.warn({ err: error }, 'progress write failed'));
  }

  /** Stops progress and heartbeat writes; waits for the writes already queued. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    await this.#queue;
  }
}
