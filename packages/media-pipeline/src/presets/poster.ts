import { ffmpeg } from '../builder.ts';
import { type FilterNode, scale, thumbnail } from '../filter-graph.ts';
import { createInputProfile, type InputProfile } from '../input-profile.ts';
import { assertOutputsExist, contentTypeFor, type OutputFile, type PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS, megapixelSeconds } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';

/** Options of {@link poster}. `input`, `probe` and `output` are required. */
export interface PosterOptions {
  /** Input file (untrusted). */
  input: string;
  /** The input's probe (duration for the default time, source width, video stream). */
  probe: ProbeResult;
  /** Output image: `.jpg`, `.png` or `.webp` (the extension picks the encoder). */
  output: string;
  /** Time of the frame in seconds. Default: 10 % into the video, at most 10 s. */
  at?: number | undefined;
  /**
   * Best-of-N: look at N frames from `at` on and keep the most representative (FFmpeg `thumbnail`
   * filter, avoids black or blurry frames). Default 1 (the frame at `at`).
   */
  bestOf?: number | undefined;
  /** Output width (height follows, even). Default 1280, never more than the source. */
  width?: number | undefined;
  /** Input profile. Default `createInputProfile()`. */
  profile?: InputProfile | undefined;
}

/**
 * One poster image from a video (`-ss` before `-i`, so seeking is fast).
 *
 * @example
 * ```ts
 * import { admitInput, poster, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const { probe, profile } = await admitInput(input);
 * await runPreset(poster({ input, probe, profile, output: '/tmp/poster.webp', bestOf: 30, width: 640 }));
 * ```
 */
export function poster(o: PosterOptions): PresetPlan {
  const d = o.probe.durationSeconds ?? 0;
  const at = Math.max(0, Math.min(o.at ?? Math.min(10, d * 0.1), Math.max(0, d - 0.1)));
  const srcW = o.probe.video?.displayWidth ?? 0;
  const width = Math.min(o.width ?? 1280, srcW > 0 ? srcW : Number.POSITIVE_INFINITY);
  const filters: FilterNode[] = [];
  if ((o.bestOf ?? 1) > 1) filters.push(thumbnail(o.bestOf ?? 1));
  filters.push(scale({ w: width - (width % 2), h: -2 }));
  const ext = o.output.slice(o.output.lastIndexOf('.') + 1).toLowerCase();
  const builder = ffmpeg()
    .input(o.input, { profile: o.profile ?? createInputProfile(), seek: at })
    .output(o.output, {
      map: [`0:${o.probe.video?.index ?? 'v:0'}`],
      videoFilters: filters,
      videoFrames: 1,
      noAudio: true,
      ...(ext === 'jpg' || ext === 'jpeg'
        ? { options: { 'q:v': 3, update: 1 } }
        : { options: { update: 1 } }),
      format: 'image2',
    })
    .expectDuration(
      (o.bestOf ?? 1) > 1 && o.probe.video?.fps ? (o.bestOf ?? 1) / o.probe.video.fps : undefined,
    );
  const outputs: OutputFile[] = [
    { path: builder.outputs[0]?.path ?? o.output, kind: 'poster', contentType: contentTypeFor(o.output) },
  ];
  const v = o.probe.video;
  return {
    builder,
    outputs,
    expectedDurationSeconds: undefined,
    // a seek decodes from the keyframe before `at`: count about two seconds, plus the frames looked at
    estimatedCost:
      megapixelSeconds(2 + (o.bestOf ?? 1) / (v?.fps ?? 25), v?.width ?? 0, v?.height ?? 0) *
        COST_WEIGHTS.decode +
      ((width * width * 9) / 16 / 1e6) * COST_WEIGHTS.image,
    async finalize() {
      await assertOutputsExist(outputs);
      return outputs;
    },
  };
}
