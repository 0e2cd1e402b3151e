import { setTimeout as sleep } from 'node:timers/promises';

/** Floor of the paced rate: never slower than this, whatever the source's bitrate. */
const MIN_BYTES_PER_SECOND = 8 * 1024 * 1024;
/** How many times the source's own bitrate the paced download may run (the encoder is far slower). */
const BITRATE_MULTIPLE = 4;

/**
 * Caps a download's rate while an encoder reads the growing file and its first HLS segments are not out yet.
 * On a small machine the download (and, locally, the S3 server sending it) would otherwise take the CPU the
 * first segments need, making time to playable grow with the file's size; the encoder only needs the download
 * to stay ahead of it. `release()` lifts the cap for good (playable, the run ended, or it failed).
 */
export class DownloadPace {
  #bytesPerSecond: number | undefined;
  #fromBytes = 0;
  #fromTime = 0;
  #released = false;

  /** Caps the rate from now on at `BITRATE_MULTIPLE` × the source's bitrate (`size` bytes over `seconds`). */
  limit(bytesSoFar: number, size: number, seconds: number): void {
    if (this.#released || !(size > 0) || !(seconds > 0)) return;
    this.#bytesPerSecond = Math.max(MIN_BYTES_PER_SECOND, (BITRATE_MULTIPLE * size) / seconds);
    this.#fromBytes = bytesSoFar;
    this.#fromTime = Date.now();
  }

  release(): void {
    this.#released = true;
    this.#bytesPerSecond = undefined;
  }

  /** The configured rate, `undefined` when not paced. */
  get bytesPerSecond(): number | undefined {
    return this.#bytesPerSecond;
  }

  /** Resolves once `bytes` in total may have arrived; waits in short slices so a release takes effect at once. */
  async wait(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const rate = this.#bytesPerSecond;
      if (rate === undefined) return;
      const dueAt = this.#fromTime + ((bytes - this.#fromBytes) / rate) * 1000;
      const waitMs = dueAt - Date.now();
      if (waitMs <= 0) return;
      await sleep(Math.min(waitMs, 100), undefined, signal ? { signal } : {});
    }
  }
}
