import { readFile } from 'node:fs/promises';
import type { FfmpegBuilder } from './builder.ts';
import { InputTruncatedError } from './errors.ts';
import type { OutputFile } from './outputs.ts';
import { parseMediaPlaylist } from './presets/hls-ladder.ts';
import { probe } from './probe.ts';
import type { RunFfmpegResult } from './run-ffmpeg.ts';

/**
 * How much shorter than expected a media output may be: 0.5 s plus 1 % of the expected duration
 * (AAC priming, the last frame's duration and segment rounding stay well inside it; half a video does not).
 */
export const DURATION_TOLERANCE: { readonly seconds: number; readonly fraction: number } = {
  seconds: 0.5,
  fraction: 0.01,
};

/** Output kinds whose duration is checked: whole media files and HLS media playlists. */
const TIMED_KINDS = new Set(['mp4', 'audio', 'hls-playlist']);

/**
 * The duration a preset's media outputs must reach (its `PresetPlan.expectedDurationSeconds`): the
 * source's, less the first file input's `-ss`, capped by its `-t` (the caller's or the input profile's
 * `maxDurationSeconds`). `undefined` when the source duration is unknown.
 *
 * @example
 * ```ts
 * import { expectedOutputSeconds, ffmpeg } from '@media-server/media-pipeline';
 *
 * const builder = ffmpeg().input('/tmp/in.mp4', { seek: 5, duration: 30 }).output('/tmp/clip.mp4');
 * expectedOutputSeconds(120, builder); // 30
 * expectedOutputSeconds(20, builder); // 15
 * ```
 */
export function expectedOutputSeconds(
  sourceSeconds: number | undefined,
  builder: FfmpegBuilder,
): number | undefined {
  if (sourceSeconds === undefined || !(sourceSeconds > 0)) return undefined;
  const input = builder.inputs.find((i) => i.type === 'file');
  const o = input?.options;
  const limits = [o?.duration, o?.profile?.maxDurationSeconds].filter((d): d is number => d !== undefined);
  return Math.min(Math.max(0, sourceSeconds - (o?.seek ?? 0)), ...limits);
}

/** Largest allowed shortfall for an output expected to last `seconds`. */
export function allowedShortfall(seconds: number): number {
  return DURATION_TOLERANCE.seconds + DURATION_TOLERANCE.fraction * seconds;
}

/**
 * Checks every media output (`mp4`, `audio`, each HLS media playlist) against the duration it must have
 * and throws {@link InputTruncatedError} for the first one that is short: an input whose data ends
 * before its index says must never produce a "successful" half-length output.
 */
export async function verifyOutputDurations(
  outputs: readonly OutputFile[],
  expectedSeconds: number | undefined,
  run: RunFfmpegResult,
  signal?: AbortSignal | undefined,
): Promise<void> {
  if (expectedSeconds === undefined || expectedSeconds <= 0) return;
  for (const output of outputs) {
    if (!TIMED_KINDS.has(output.kind)) continue;
    const actual = await outputSeconds(output, signal);
    if (actual !== undefined && actual >= expectedSeconds - allowedShortfall(expectedSeconds)) continue;
    throw new InputTruncatedError(
      { exitCode: 0, signal: null, stderrTail: run.stderrTail, argv: run.argv, binary: 'ffmpeg' },
      { output: output.path, expectedSeconds, actualSeconds: actual ?? 0 },
    );
  }
}

async function outputSeconds(
  output: OutputFile,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  if (output.kind === 'hls-playlist') {
    const media = parseMediaPlaylist(await readFile(output.path, 'utf8'), output.path);
    return media.segments.reduce((sum, s) => sum + s.duration, 0);
  }
  return (await probe(output.path, { signal, crashFallback: false })).durationSeconds;
}
