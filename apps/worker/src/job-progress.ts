import type { PresetName } from '@media-server/jobs';
import type { ProbeResult } from '@media-server/media-pipeline';

/** The stages of a job, in order. */
export type JobStage = 'downloading' | 'probing' | 'transcoding' | 'uploading';

/** What the status document says about progress. */
export interface JobProgressSnapshot {
  /** 0 → 99 while the job runs; 100 is only ever written together with `succeeded`. */
  percent: number;
  stage: JobStage;
  preset?: PresetName;
  /** Seconds until the whole job is done, from the rate of the work done so far. */
  etaSeconds?: number;
}

/** Highest percent a running job reports: 100 means succeeded. */
export const RUNNING_MAX_PERCENT = 99;

/** Rough rates that turn each stage's size into expected seconds, so stages can be weighed against each other. */
const TRANSFER_BYTES_PER_SECOND = 50e6;
const PROBE_SECONDS = 0.5;
const ENCODE_PIXELS_PER_SECOND = 30e6;

/** Relative cost of each preset per decoded pixel-second (the HLS ladder encodes several renditions). */
const PRESET_FACTOR: Record<PresetName, number> = {
  mp4: 1,
  hls: 1.6,
  sprite: 0.25,
  poster: 0.02,
  audio: 0.05,
  image: 1,
};

/**
 * Expected seconds of a preset from the input's duration × pixels (a local estimate: the pipeline's own
 * `estimatedCost`, once it exists, can replace it). Audio-only and still inputs get a floor.
 */
export function estimatePresetSeconds(preset: PresetName, probe: ProbeResult): number {
  const duration = probe.durationSeconds ?? 1;
  const video = probe.video;
  const fps = video?.fps && video.fps > 0 ? video.fps : 25;
  const pixels = video ? video.displayWidth * video.displayHeight : 0;
  const frames = preset === 'image' ? 1 : duration * fps;
  const work = pixels > 0 ? (frames * pixels) / ENCODE_PIXELS_PER_SECOND : duration * 0.01;
  return Math.max(0.05, work * PRESET_FACTOR[preset]);
}

interface Stage {
  id: string;
  stage: JobStage;
  preset?: PresetName | undefined;
  /** Expected seconds. */
  cost: number;
  /** 0 → 1. */
  done: number;
}

/**
 * Job-level progress, pure (no I/O, the clock is passed in): every stage has an expected cost in seconds
 * (download and store by bytes, probe a constant, presets by duration × pixels), and the percent is the
 * share of the expected cost done. When the plan changes (the presets are known after the probe, the
 * outputs' size before the store) the rest of the percent range is shared out again from where it stands,
 * so the percent never goes down. It tops out at {@link RUNNING_MAX_PERCENT}.
 *
 * @example
 * const progress = new JobProgressTracker({ sourceBytes: 10_000_000, startedAt: Date.now() });
 * progress.advance('download', 0.5, Date.now()); // { percent: …, stage: 'downloading', etaSeconds: … }
 */
export class JobProgressTracker {
  #stages: Stage[];
  readonly #startedAt: number;
  #anchorPercent = 0;
  /** `done` of each stage when the plan last changed. */
  #anchorDone = new Map<string, number>();
  #current: Stage;
  #lastPercent = 0;

  constructor(options: { sourceBytes: number | undefined; startedAt: number }) {
    const bytes = options.sourceBytes ?? 0;
    const transfer = Math.max(0.05, bytes / TRANSFER_BYTES_PER_SECOND);
    this.#stages = [
      { id: 'download', stage: 'downloading', cost: transfer, done: 0 },
      { id: 'probe', stage: 'probing', cost: PROBE_SECONDS, done: 0 },
      // Until the probe says what the presets cost: a guess from the size (about 1 s per 5 MB).
      { id: 'presets', stage: 'transcoding', cost: Math.max(1, bytes / 5e6), done: 0 },
      { id: 'store', stage: 'uploading', cost: transfer, done: 0 },
    ];
    this.#current = this.#stages[0] as Stage;
    this.#startedAt = options.startedAt;
    this.#reanchor();
  }

  /** The presets are known (after the probe): they replace the guess, each weighed by its expected seconds. */
  planPresets(presets: ReadonlyArray<{ preset: PresetName; seconds: number }>): void {
    this.#replan(() => {
      const index = this.#stages.findIndex((s) => s.id === 'presets');
      const planned: Stage[] = presets.map(({ preset, seconds }, i) => ({
        id: `preset:${i}`,
        stage: 'transcoding',
        preset,
        cost: Math.max(0.05, seconds),
        done: 0,
      }));
      this.#stages.splice(index, 1, ...planned);
    });
  }

  /** The outputs are known: the store is weighed by their bytes. */
  planStore(bytes: number): void {
    this.#replan(() => {
      const store = this.#stages.find((s) => s.id === 'store');
      if (store) store.cost = Math.max(0.05, bytes / TRANSFER_BYTES_PER_SECOND);
    });
  }

  /**
   * Records that a stage (`download`, `probe`, `preset:<index>`, `store`) is `fraction` done and returns
   * the job's progress. Earlier stages count as done.
   */
  advance(id: string, fraction: number, now: number): JobProgressSnapshot {
    const index = this.#stages.findIndex((s) => s.id === id);
    if (index < 0) return this.snapshot(now);
    for (const earlier of this.#stages.slice(0, index)) earlier.done = 1;
    const stage = this.#stages[index] as Stage;
    stage.done = Math.max(stage.done, Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)));
    this.#current = stage;
    return this.snapshot(now);
  }

  /** The progress as it stands. */
  snapshot(now: number): JobProgressSnapshot {
    const percent = Math.max(this.#lastPercent, this.#percent());
    this.#lastPercent = percent;
    const eta = this.#etaSeconds(now);
    return {
      percent: Math.floor(percent * 100) / 100,
      stage: this.#current.stage,
      ...(this.#current.preset === undefined ? {} : { preset: this.#current.preset }),
      ...(eta === undefined ? {} : { etaSeconds: eta }),
    };
  }

  #percent(): number {
    let planned = 0;
    let done = 0;
    for (const s of this.#stages) {
      const anchor = this.#anchorDone.get(s.id) ?? 0;
      planned += s.cost * (1 - anchor);
      done += s.cost * (s.done - anchor);
    }
    if (planned <= 0) return RUNNING_MAX_PERCENT;
    const share = Math.min(1, Math.max(0, done / planned));
    return this.#anchorPercent + (RUNNING_MAX_PERCENT - this.#anchorPercent) * share;
  }

  /** Remaining expected seconds, scaled by how fast the work has gone so far. */
  #etaSeconds(now: number): number | undefined {
    const elapsed = (now - this.#startedAt) / 1000;
    let done = 0;
    let left = 0;
    for (const s of this.#stages) {
      done += s.cost * s.done;
      left += s.cost * (1 - s.done);
    }
    if (elapsed < 1 || done <= 0) return undefined;
    return Math.round((left * elapsed) / done);
  }

  #replan(change: () => void): void {
    const percent = Math.max(this.#lastPercent, this.#percent());
    change();
    this.#anchorPercent = percent;
    this.#lastPercent = percent;
    this.#reanchor();
  }

  #reanchor(): void {
    this.#anchorDone = new Map(this.#stages.map((s) => [s.id, s.done]));
  }
}
