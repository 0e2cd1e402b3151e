import { ffmpeg } from '../builder.ts';
import { createInputProfile, type InputProfile } from '../input-profile.ts';
import { assertOutputsExist, type OutputFile, type PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS, megapixelSeconds } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';
import { expectedOutputSeconds } from '../verify-outputs.ts';

/** Audio codecs that can be copied into MP4 as they are. */
export const MP4_AUDIO_CODECS: ReadonlySet<string> = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac']);

/** Options of {@link h264Mp4}. `input`, `probe` and `output` are required. */
export interface H264Mp4Options {
  /** Input file (untrusted). */
  input: string;
  /** The input's probe (decides audio copy vs AAC, and the duration for progress). */
  probe: ProbeResult;
  /** Output `.mp4` path. */
  output: string;
  /** x264 CRF. Default 23. */
  crf?: number | undefined;
  /** x264 preset. Default `'medium'`. */
  preset?: string | undefined;
  /** AAC bitrate when audio must be re-encoded. Default `'128k'`. */
  audioBitrate?: string | undefined;
  /** Output pixel format; `yuv420p` keeps the file playable everywhere. Default `'yuv420p'`. */
  pixelFormat?: string | undefined;
  /** Input profile. Default {@link createInputProfile}`()`. */
  profile?: InputProfile | undefined;
  /** `-fs` cap on the output, in bytes. Default: none. */
  maxFileSize?: number | undefined;
}

/**
 * The original system's command done safely: libx264 CRF 23, preset medium, audio copied when MP4 can
 * hold it (AAC, MP3, AC-3, E-AC-3, ALAC) and re-encoded to AAC otherwise, `+faststart`, first video and
 * first audio stream only.
 *
 * @example
 * ```ts
 * import { admitInput, h264Mp4, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mov';
 * const { probe, profile } = await admitInput(input);
 * const plan = h264Mp4({ input, probe, profile, output: '/tmp/video.mp4', crf: 21 });
 * const { outputs } = await runPreset(plan, { timeoutMs: 600_000 }); // [{ path, kind: 'mp4', … }]
 * ```
 */
export function h264Mp4(o: H264Mp4Options): PresetPlan {
  const audio = o.probe.audio;
  const video = o.probe.video;
  const copyAudio = audio !== undefined && MP4_AUDIO_CODECS.has(audio.codec);
  const builder = ffmpeg()
    .input(o.input, { profile: o.profile ?? createInputProfile() })
    .output(o.output, {
      map: [video ? `0:${video.index}` : '0:v:0', audio ? `0:${audio.index}` : '0:a:0?'],
      videoCodec: 'libx264',
      crf: o.crf ?? 23,
      preset: o.preset ?? 'medium',
      pixelFormat: o.pixelFormat ?? 'yuv420p',
      ...(audio
        ? copyAudio
          ? { audioCodec: 'copy' }
          : { audioCodec: 'aac', audioBitrate: o.audioBitrate ?? '128k' }
        : { noAudio: true }),
      noSubtitles: true,
      movflags: ['+faststart'],
      maxFileSize: o.maxFileSize,
      format: 'mp4',
    })
    .expectDuration(o.probe.durationSeconds);
  const outputs: OutputFile[] = [
    { path: builder.outputs[0]?.path ?? o.output, kind: 'mp4', contentType: 'video/mp4' },
  ];
  const expected = expectedOutputSeconds(o.probe.durationSeconds, builder);
  const pixels = megapixelSeconds(expected, video?.width ?? 0, video?.height ?? 0);
  return {
    builder,
    outputs,
    expectedDurationSeconds: expected,
    // decode + one x264 encode at the source size (+ AAC when audio is re-encoded)
    estimatedCost:
      pixels * (COST_WEIGHTS.decode + COST_WEIGHTS.encodeH264) +
      (audio && !copyAudio ? (expected ?? 0) * COST_WEIGHTS.encodeAudio : 0),
    async finalize() {
      await assertOutputsExist(outputs);
      return outputs;
    },
  };
}
