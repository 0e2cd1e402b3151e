import { stat } from 'node:fs/promises';
import type { CleanupTarget, FfmpegBuilder } from './builder.ts';
import { InvalidOutputError } from './errors.ts';
import { removeTargets } from './process-watch.ts';
import type { FfmpegProgress } from './progress.ts';
import { type RunFfmpegOptions, type RunFfmpegResult, runFfmpeg } from './run-ffmpeg.ts';
import { verifyOutputDurations } from './verify-outputs.ts';

/** What an output file is. */
export type OutputKind =
  | 'mp4'
  | 'hls-master'
  | 'hls-playlist'
  | 'hls-init'
  | 'hls-segment'
  | 'poster'
  | 'sprite'
  | 'vtt'
  | 'image'
  | 'audio'
  | 'peaks';

/** One file a preset produces. */
export interface OutputFile {
  /** Absolute path. */
  path: string;
  /** What it is. */
  kind: OutputKind;
  /** MIME type to store it with. */
  contentType: string;
  /** Rendition or variant name (`'720p'`, `'thumb'`) when the preset makes several. */
  variant?: string | undefined;
}

/**
 * What a preset returns: the command, the files it will write (known in advance), and `finalize()`,
 * to call after a successful run: it writes derived files (HLS master playlist, WebVTT, peaks JSON),
 * removes intermediates, checks every file exists and returns the complete list (HLS segments included).
 */
export interface PresetPlan {
  /** The one ffmpeg command of the preset. */
  builder: FfmpegBuilder;
  /** Files known before the run (HLS segments are listed by `finalize()`). */
  outputs: OutputFile[];
  /**
   * Seconds every media output (`mp4`, `audio`, HLS media playlist) must last, within
   * `DURATION_TOLERANCE`: the source's duration less any seek, capped by any `-t`
   * (see `expectedOutputSeconds`). `undefined` for image presets, which are not checked.
   */
  expectedDurationSeconds: number | undefined;
  /**
   * Expected relative cost of the run, for weighting presets in a job-level progress: megapixel-seconds
   * of decoding plus encoding (`duration × width × height / 1e6`, summed over what the preset decodes and
   * encodes, see each preset). Only ratios between plans mean anything.
   */
  estimatedCost: number;
  /**
   * After a successful run: writes the derived files, removes intermediates, checks the outputs exist and
   * returns every file. {@link runPreset} calls it.
   */
  finalize(): Promise<OutputFile[]>;
}

/** The result of {@link runPreset}. */
export interface PresetRunResult {
  /** What the ffmpeg run reported. */
  run: RunFfmpegResult;
  /** Every file made, as `finalize()` listed it (HLS segments included). */
  outputs: OutputFile[];
}

/**
 * Runs a preset's builder, then its `finalize()`, then checks that every media output lasts as long as
 * the source (`plan.expectedDurationSeconds`, else `InputTruncatedError`). If any step fails, every
 * output (and intermediate) is removed before the error is rethrown. `onProgress` gets `done: true` /
 * 100 % only after all three succeeded.
 *
 * @throws everything {@link runFfmpeg} throws; `InputTruncatedError` for a short output;
 *   {@link InvalidOutputError} for a missing or broken one.
 * @example
 * ```ts
 * import { admitInput, h264Mp4, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const { probe, profile } = await admitInput(input);
 * const { outputs } = await runPreset(h264Mp4({ input, probe, profile, output: '/tmp/out.mp4' }), {
 *   signal: AbortSignal.timeout(600_000),
 *   onProgress: (p) => console.log(p.percent),
 * });
 * ```
 */
export async function runPreset(plan: PresetPlan, options: RunFfmpegOptions = {}): Promise<PresetRunResult> {
  const onProgress = options.onProgress;
  let finalBlock: FfmpegProgress | undefined;
  const run = await runFfmpeg(plan.builder, {
    ...options,
    onProgress: (p) => {
      if (p.done) finalBlock = p;
      else onProgress?.(p);
    },
  });
  try {
    const outputs = await plan.finalize();
    await verifyOutputDurations(outputs, plan.expectedDurationSeconds, run, options.signal);
    if (finalBlock) {
      try {
        onProgress?.(finalBlock);
      } catch {
        // a throwing listener must not break the run
      }
    }
    return { run, outputs };
  } catch (err) {
    const targets: CleanupTarget[] = [
      ...plan.builder.cleanupTargets,
      ...plan.outputs.map((o) => ({ path: o.path })),
    ];
    await removeTargets(targets);
    throw err;
  }
}

/** Throws {@link InvalidOutputError} if any listed file is missing or empty. */
export async function assertOutputsExist(outputs: readonly { readonly path: string }[]): Promise<void> {
  for (const o of outputs) {
    const st = await stat(o.path).catch(() => undefined);
    if (!st?.isFile() || st.size === 0) {
      throw new InvalidOutputError(`expected output was not written: ${o.path}`, o.path);
    }
  }
}

/** MIME type for a file extension. */
export function contentTypeFor(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    mp4: 'video/mp4',
    m4s: 'video/iso.segment',
    ts: 'video/mp2t',
    m3u8: 'application/vnd.apple.mpegurl',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    avif: 'image/avif',
    vtt: 'text/vtt',
    m4a: 'audio/mp4',
    mp3: 'audio/mpeg',
    json: 'application/json',
  };
  return types[ext] ?? 'application/octet-stream';
}
