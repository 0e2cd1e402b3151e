/** One progress report, parsed from a `-progress` block. */
export interface FfmpegProgress {
  /** Output time reached, in seconds. */
  outTimeSeconds: number;
  /**
   * Percent of `durationSeconds` done, `undefined` when the duration is unknown. Never goes down within
   * a run, stays at most {@link MAX_RUNNING_PERCENT} while it runs and is 100 only on the final
   * `done` report of a run that succeeded.
   */
  percent: number | undefined;
  /** Frames written so far (video outputs). */
  frame: number | undefined;
  /** Encoding frames per second. */
  fps: number | undefined;
  /** Speed relative to real time (`2.5` = 2.5×). */
  speed: number | undefined;
  /** Bytes written so far. */
  totalSizeBytes: number | undefined;
  /** Estimated seconds left, `undefined` until it can be estimated. */
  etaSeconds: number | undefined;
  /** Wall-clock milliseconds since the run started. */
  elapsedMs: number;
  /** `true` on the final block (`progress=end`). */
  done: boolean;
}

/** The highest percent a run reports before it has succeeded. */
export const MAX_RUNNING_PERCENT = 99.9;

/**
 * Incremental parser for `-progress pipe:1` output (`key=value` lines, a block ending in
 * `progress=continue|end`). Understands `out_time_us`, the older `out_time_ms` (which FFmpeg always
 * filled with microseconds) and `out_time`.
 */
export class ProgressParser {
  readonly #durationSeconds: number | undefined;
  readonly #startedAt: number;
  readonly #onBlock: (p: FfmpegProgress) => void;
  #fields = new Map<string, string>();
  #buffer = '';
  #highestPercent = 0;

  constructor(
    durationSeconds: number | undefined,
    onBlock: (p: FfmpegProgress) => void,
    startedAt: number = Date.now(),
  ) {
    this.#durationSeconds = durationSeconds && durationSeconds > 0 ? durationSeconds : undefined;
    this.#onBlock = onBlock;
    this.#startedAt = startedAt;
  }

  /** Feeds a chunk of stdout (any split). */
  push(chunk: string): void {
    this.#buffer += chunk;
    let nl = this.#buffer.indexOf('\n');
    while (nl !== -1) {
      this.line(this.#buffer.slice(0, nl));
      this.#buffer = this.#buffer.slice(nl + 1);
      nl = this.#buffer.indexOf('\n');
    }
  }

  /** Feeds one line. */
  line(raw: string): void {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.#fields.set(key, value);
      return;
    }
    this.#onBlock(this.#build(value === 'end'));
    this.#fields = new Map();
  }

  #build(done: boolean): FfmpegProgress {
    const f = this.#fields;
    const elapsedMs = Date.now() - this.#startedAt;
    const outTimeSeconds = parseOutTime(f);
    const d = this.#durationSeconds;
    let percent: number | undefined;
    if (d !== undefined) {
      // out_time can step back (several outputs, B-frame reordering): never report less than before.
      const now = done ? 100 : clamp((outTimeSeconds / d) * 100, 0, MAX_RUNNING_PERCENT);
      this.#highestPercent = Math.max(this.#highestPercent, now);
      percent = this.#highestPercent;
    }
    const speed = numberOrUndefined(f.get('speed')?.replace(/x$/, ''));
    let etaSeconds: number | undefined;
    if (done) etaSeconds = 0;
    else if (d !== undefined && outTimeSeconds > 0) {
      const left = Math.max(0, d - outTimeSeconds);
      etaSeconds = speed && speed > 0 ? left / speed : (elapsedMs / 1000) * (left / outTimeSeconds);
    }
    return {
      outTimeSeconds,
      percent,
      frame: numberOrUndefined(f.get('frame')),
      fps: numberOrUndefined(f.get('fps')),
      speed,
      totalSizeBytes: numberOrUndefined(f.get('total_size')),
      etaSeconds,
      elapsedMs,
      done,
    };
  }
}

/**
 * The `done` report of a run that succeeded: the final block ffmpeg wrote (or the last one seen, when it
 * wrote none) with `done: true`, percent 100 (when the duration is known) and ETA 0.
 */
export function finalProgress(
  last: FfmpegProgress | undefined,
  durationSeconds: number | undefined,
  startedAt: number,
): FfmpegProgress {
  const known = durationSeconds !== undefined && durationSeconds > 0;
  return {
    outTimeSeconds: last?.outTimeSeconds ?? 0,
    frame: last?.frame,
    fps: last?.fps,
    speed: last?.speed,
    totalSizeBytes: last?.totalSizeBytes,
    elapsedMs: Date.now() - startedAt,
    percent: known ? 100 : undefined,
    etaSeconds: 0,
    done: true,
  };
}

function parseOutTime(f: Map<string, string>): number {
  const us = numberOrUndefined(f.get('out_time_us')) ?? numberOrUndefined(f.get('out_time_ms'));
  if (us !== undefined && us >= 0) return us / 1e6;
  const m = /^(-?)(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(f.get('out_time') ?? '');
  if (m && m[1] !== '-') return Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return 0;
}

function numberOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || v === '' || v === 'N/A') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
