import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobSpec, PresetName } from '@media-server/jobs';
import {
  type InputProfile,
  type OutputKind,
  type PresetPlan,
  type ProbeResult,
  videoSet,
} from '@media-server/media-pipeline';
import { estimatePresetSeconds } from './job-progress.ts';
import { planPreset } from './presets.ts';

/**
 * One ffmpeg run of a job: either one preset, or the combined video run ({@link videoSet}) that makes
 * `mp4`, `hls`, and `poster`/`sprite` when asked, from one decode with the MP4 being the top HLS rung.
 */
export interface PresetStep {
  /** The presets whose outputs this run makes (`status.outputs[].preset`). */
  presets: PresetName[];
  /** The preset the progress names while it runs (`hls` for the combined run). */
  progressPreset: PresetName;
  /** Expected seconds, to weigh the step in the job's progress. */
  seconds: number;
  /** The HLS directory when this run writes the ladder (for publishing segments while it runs). */
  hlsDir: string | undefined;
  /** Plans the run; `profile` replaces the job's input profile (e.g. to follow a growing file). */
  plan(profile?: InputProfile): Promise<PresetPlan>;
  /** Which of `presets` an output file belongs to. */
  presetOf(kind: OutputKind): PresetName;
}

/** The presets the combined run covers, in the order they are listed. */
const COMBINED: readonly PresetName[] = ['mp4', 'hls', 'poster', 'sprite'];

/**
 * The runs of a job: a video job that asks for both `mp4` and `hls` (the default) gets ONE combined run
 * for mp4 + hls (+ poster, sprite), unless its spec says `mp4: 'separate'` (a separately tuned
 * `medium` CRF 23 encode, as before); every other preset runs on its own. Outputs keep their keys
 * (`<preset>/…`).
 */
export function planPresetSteps(options: {
  presets: readonly PresetName[];
  spec: Pick<JobSpec, 'mp4'> | undefined;
  input: string;
  probe: ProbeResult;
  outDir: string;
  profile: InputProfile;
  signal?: AbortSignal | undefined;
}): PresetStep[] {
  const { presets, input, probe, outDir, profile } = options;
  const combine =
    probe.video !== undefined &&
    presets.includes('mp4') &&
    presets.includes('hls') &&
    options.spec?.mp4 !== 'separate';
  const combined = combine ? presets.filter((p) => COMBINED.includes(p)) : [];
  const steps: PresetStep[] = [];
  for (const preset of presets) {
    if (combined.includes(preset)) {
      if (preset !== combined[0]) continue;
      steps.push(combinedStep(combined, options));
      continue;
    }
    steps.push({
      presets: [preset],
      progressPreset: preset,
      seconds: estimatePresetSeconds(preset, probe),
      hlsDir: preset === 'hls' ? join(outDir, 'hls') : undefined,
      plan: (override) => planPreset({ preset, input, probe, outDir, profile: override ?? profile }),
      presetOf: () => preset,
    });
  }
  return steps;
}

function combinedStep(
  presets: PresetName[],
  o: {
    input: string;
    probe: ProbeResult;
    outDir: string;
    profile: InputProfile;
    signal?: AbortSignal | undefined;
  },
): PresetStep {
  const dir = (preset: PresetName) => join(o.outDir, preset);
  return {
    presets,
    progressPreset: 'hls',
    // The ladder's encode, plus the poster/storyboard branches; the MP4 costs only a stream copy.
    seconds: presets
      .filter((p) => p !== 'mp4')
      .reduce((sum, p) => sum + estimatePresetSeconds(p, o.probe), 0),
    hlsDir: dir('hls'),
    async plan(override) {
      for (const p of presets) await mkdir(dir(p), { recursive: true });
      return videoSet({
        input: o.input,
        probe: o.probe,
        profile: override ?? o.profile,
        hlsDir: dir('hls'),
        mp4Output: join(dir('mp4'), 'video.mp4'),
        posterOutput: presets.includes('poster') ? join(dir('poster'), 'poster.jpg') : undefined,
        storyboardDir: presets.includes('sprite') ? dir('sprite') : undefined,
        remux: { signal: o.signal },
      });
    },
    presetOf(kind) {
      if (kind === 'mp4') return 'mp4';
      if (kind === 'poster') return 'poster';
      if (kind === 'sprite' || kind === 'vtt') return 'sprite';
      return 'hls';
    },
  };
}
