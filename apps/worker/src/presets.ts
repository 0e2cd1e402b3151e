import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PresetName } from '@media-server/jobs';
import {
  audioOnly,
  getCapabilities,
  h264Mp4,
  hlsLadder,
  type ImageVariant,
  type InputProfile,
  imageVariants,
  type MediaKind,
  type PresetPlan,
  type ProbeResult,
  poster,
  sprite,
} from '@media-server/media-pipeline';
import { JobFailure } from './job-failure.ts';

/** What the `image` preset makes: never upscaled past the source. */
const IMAGE_VARIANTS: readonly ImageVariant[] = [
  { name: 'large', maxWidth: 1920, format: 'jpeg' },
  { name: 'medium', maxWidth: 960, format: 'webp' },
  { name: 'thumb', maxWidth: 320, format: 'jpeg' },
];

/** Which presets make sense for which kind of input. */
const APPLICABLE: Record<PresetName, readonly MediaKind[]> = {
  mp4: ['video'],
  hls: ['video'],
  poster: ['video'],
  sprite: ['video'],
  image: ['image'],
  audio: ['video', 'audio'],
};

/** Checks that every preset asked for can run on this kind of input (a clear permanent failure otherwise). */
export function checkPresets(presets: readonly PresetName[], kind: MediaKind): void {
  const wrong = presets.filter((preset) => !APPLICABLE[preset].includes(kind));
  if (wrong.length > 0) {
    throw new JobFailure('PRESET_NOT_APPLICABLE', `preset ${wrong.join(', ')} cannot run on ${kind} input`);
  }
}

/** Builds the media-pipeline plan of one preset, writing into `outDir/<preset>/`. */
export async function planPreset(options: {
  preset: PresetName;
  input: string;
  probe: ProbeResult;
  outDir: string;
  profile: InputProfile;
}): Promise<PresetPlan> {
  const dir = join(options.outDir, options.preset);
  await mkdir(dir, { recursive: true });
  const { input, probe, profile } = options;
  switch (options.preset) {
    case 'mp4':
      return h264Mp4({ input, probe, profile, output: join(dir, 'video.mp4') });
    case 'hls':
      return hlsLadder({ input, probe, profile, outputDir: dir });
    case 'poster':
      return poster({ input, probe, profile, output: join(dir, 'poster.jpg') });
    case 'sprite':
      return sprite({ input, probe, profile, outputDir: dir });
    case 'audio':
      return audioOnly({ input, probe, profile, outputDir: dir });
    case 'image':
      return imageVariants({
        input,
        probe,
        profile,
        outputDir: dir,
        variants: IMAGE_VARIANTS,
        capabilities: await getCapabilities(),
      });
  }
}
