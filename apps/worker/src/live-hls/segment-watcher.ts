import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MediaPlaylist, parseMediaPlaylist } from '@media-server/media-pipeline';

/** A segment ffmpeg has finished: its rung playlist lists it. */
export interface FinishedSegment {
  rung: string;
  /** Position in the rung's playlist (0 = first). */
  index: number;
  /** The URI the playlist names (a file name next to the playlist). */
  uri: string;
  path: string;
  /** EXTINF, in seconds. */
  duration: number;
  /** The rung's init segment (fMP4), when the playlist has an `EXT-X-MAP`. */
  initUri: string | undefined;
  /** The playlist's `EXT-X-TARGETDURATION`. */
  targetDuration: number | undefined;
}

/** Options of {@link SegmentWatcher}. */
export interface SegmentWatcherOptions {
  /** The directory ffmpeg writes the rung playlists (`<rung>.m3u8`) and segments into. */
  dir: string;
  rungs: readonly string[];
  /** Called once per finished segment, in playlist order per rung, one call at a time. */
  onSegment: (segment: FinishedSegment) => Promise<void>;
  /** Default 300 ms. */
  intervalMs?: number | undefined;
}

/**
 * Watches an HLS output directory while an ffmpeg run (any run that writes `<rung>.m3u8` playlists)
 * fills it. ffmpeg's HLS muxer rewrites a rung's playlist (by rename, so it is never half-written)
 * after each segment it has closed: a segment the playlist lists is complete. The watcher polls the
 * playlists (inotify would miss nothing either, but a poll also survives a directory that is recreated)
 * and hands each newly listed segment to `onSegment`, in order. A failing `onSegment` stops the watcher;
 * {@link SegmentWatcher.error} then holds the error and {@link SegmentWatcher.failed} rejects with it.
 */
export class SegmentWatcher {
  readonly #options: SegmentWatcherOptions;
  readonly #seen = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> = Promise.resolve();
  #error: unknown;
  #stopped = false;
  readonly #failed: Promise<never>;
  #fail: (error: unknown) => void = () => {};

  constructor(options: SegmentWatcherOptions) {
    this.#options = options;
    this.#failed = new Promise<never>((_resolve, reject) => {
      this.#fail = reject;
    });
    this.#failed.catch(() => {});
  }

  /** The error of a failed `onSegment`, if any. */
  get error(): unknown {
    return this.#error;
  }

  /** Rejects when an `onSegment` call fails (never resolves). */
  get failed(): Promise<never> {
    return this.#failed;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#scanning = this.#scanning.then(() => this.#scan());
    }, this.#options.intervalMs ?? 300);
  }

  /** Stops polling; with `flush`, scans once more so every segment listed by now is handed over. */
  async stop(options: { flush: boolean }): Promise<void> {
    clearInterval(this.#timer);
    await this.#scanning;
    if (options.flush) await this.#scan();
    this.#stopped = true;
    if (options.flush && this.#error !== undefined) throw this.#error;
  }

  async #scan(): Promise<void> {
    if (this.#stopped || this.#error !== undefined) return;
    for (const rung of this.#options.rungs) {
      const playlist = await this.#read(rung);
      if (playlist === undefined) continue;
      let next = this.#seen.get(rung) ?? 0;
      for (const [index, segment] of playlist.segments.entries()) {
        if (index < next) continue;
        try {
          await this.#options.onSegment({
            rung,
            index,
            uri: segment.uri,
            path: join(this.#options.dir, segment.uri),
            duration: segment.duration,
            initUri: playlist.map,
            targetDuration: playlist.targetDuration,
          });
        } catch (error) {
          this.#error = error;
          clearInterval(this.#timer);
          this.#fail(error);
          return;
        }
        next = index + 1;
        this.#seen.set(rung, next);
      }
    }
  }

  async #read(rung: string): Promise<MediaPlaylist | undefined> {
    try {
      return parseMediaPlaylist(await readFile(join(this.#options.dir, `${rung}.m3u8`), 'utf8'));
    } catch {
      // Not written yet (the first segment is not done), or between two writes: next tick.
      return undefined;
    }
  }
}
