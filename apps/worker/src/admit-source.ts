import type { JobSpec, PresetName } from '@media-server/jobs';
import { type AdmittedInput, admitInput, createInputProfile } from '@media-server/media-pipeline';
import type { WorkerConfig } from './config.ts';
import { checkPresets } from './presets.ts';

/** A source that passed the gate, and the presets the job runs on it (`hls` first). */
export interface AdmittedSource extends AdmittedInput {
  presets: PresetName[];
}

/**
 * The gate between a downloaded source and ffmpeg: probe, the worker's policy (size, duration,
 * dimensions), a profile narrowed to the demuxer that recognised the file (so the presets cannot be steered
 * to another demuxer by the same bytes), then the presets: the spec's, else the defaults for the kind.
 * Throws a `MediaPipelineError` (refused input) or a `JobFailure` (presets that do not fit the kind).
 */
export async function admitSource(
  input: string,
  config: WorkerConfig,
  spec: JobSpec | undefined,
  signal: AbortSignal,
): Promise<AdmittedSource> {
  const { maxWidth, maxHeight, maxDurationSeconds, maxInputBytes } = config.policy;
  const admitted = await admitInput(input, {
    profile: createInputProfile({
      maxPixels: maxWidth * maxHeight,
      maxDurationSeconds: maxDurationSeconds + 1,
    }),
    policy: {
      maxDurationSeconds,
      maxWidth,
      maxHeight,
      maxPixels: maxWidth * maxHeight,
      maxFileSizeBytes: maxInputBytes,
    },
    signal,
  });
  // HLS first: with live publishing the job is playable while the other presets still run.
  const presets = hlsFirst(spec?.presets?.length ? [...spec.presets] : config.defaultPresets[admitted.kind]);
  checkPresets(presets, admitted.kind);
  return { ...admitted, presets };
}

/** `presets` with `hls` moved first (the rest keep their order). */
function hlsFirst(presets: PresetName[]): PresetName[] {
  return presets.includes('hls') ? ['hls', ...presets.filter((preset) => preset !== 'hls')] : presets;
}
