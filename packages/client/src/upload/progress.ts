/** What `onProgress` receives while an upload runs. */
export interface UploadProgress {
  /** The job id of the upload. */
  id: string;
  /** Bytes sent so far (parts skipped on resume count as sent). */
  loaded: number;
  /** Bytes of the whole source. */
  total: number;
  /** Bytes per second over the last few seconds. */
  bytesPerSecond: number;
  /** Seconds left at that rate; undefined until there is a rate. */
  etaSeconds: number | undefined;
  /** Parts (or the single PUT) finished, skipped ones included. */
  partsDone: number;
  /** Parts of the upload; 1 for a single PUT. */
  partsTotal: number;
}

const WINDOW_MS = 5000;

/** Counts bytes, keeps a sliding window for the rate, and reports at most every `intervalMs`. */
export class ProgressMeter {
  readonly #report: ((progress: UploadProgress) => void) | undefined;
  readonly #intervalMs: number;
  readonly #samples: Array<{ at: number; loaded: number }> = [];
  #lastReport = 0;
  id = '';
  loaded = 0;
  total: number;
  partsDone = 0;
  partsTotal = 1;

  constructor(total: number, report: ((progress: UploadProgress) => void) | undefined, intervalMs = 100) {
    this.total = total;
    this.#report = report;
    this.#intervalMs = intervalMs;
  }

  add(bytes: number): void {
    this.loaded += bytes;
    this.emit(false);
  }

  partDone(): void {
    this.partsDone += 1;
    this.emit(false);
  }

  snapshot(): UploadProgress {
    const now = Date.now();
    this.#samples.push({ at: now, loaded: this.loaded });
    while (this.#samples.length > 2 && (this.#samples[0]?.at ?? now) < now - WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0] ?? { at: now, loaded: this.loaded };
    const seconds = (now - first.at) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.max(0, this.loaded - first.loaded) / seconds : 0;
    const remaining = this.total - this.loaded;
    return {
      id: this.id,
      loaded: this.loaded,
      total: this.total,
      bytesPerSecond,
      etaSeconds: remaining === 0 ? 0 : bytesPerSecond > 0 ? remaining / bytesPerSecond : undefined,
      partsDone: this.partsDone,
      partsTotal: this.partsTotal,
    };
  }

  /** Reports now when `force`, otherwise when the interval has passed. */
  emit(force: boolean): void {
    if (this.#report === undefined) return;
    const now = Date.now();
    if (!force && now - this.#lastReport < this.#intervalMs) return;
    this.#lastReport = now;
    this.#report(this.snapshot());
  }
}
