/**
 * Weights of `PresetPlan.estimatedCost`, in "megapixel-seconds decoded" (one second of a 1-megapixel
 * video decoded costs 1). Rough ratios measured on the bundled ffmpeg (x264 at the presets' speeds);
 * they only need to rank presets against each other for a job-level progress.
 */
export const COST_WEIGHTS: {
  /** Decoding every frame. */
  readonly decode: number;
  /** x264 encoding (per output megapixel-second). */
  readonly encodeH264: number;
  /** Audio encoding per second of audio. */
  readonly encodeAudio: number;
  /** A still image: decode, scale, encode (per output megapixel). */
  readonly image: number;
} = { decode: 1, encodeH264: 4, encodeAudio: 0.02, image: 0.5 };

/**
 * `seconds × width × height / 1e6`, the unit of `PresetPlan.estimatedCost`; 0 for unknown or non-positive
 * inputs.
 *
 * @example
 * ```ts
 * import { COST_WEIGHTS, megapixelSeconds } from '@media-server/media-pipeline';
 *
 * // A custom preset that decodes 20 s of 720p and encodes it once with x264:
 * const px = megapixelSeconds(20, 1280, 720); // 18.432
 * const estimatedCost = px * (COST_WEIGHTS.decode + COST_WEIGHTS.encodeH264);
 * ```
 */
export function megapixelSeconds(seconds: number | undefined, width: number, height: number): number {
  if (seconds === undefined || !(seconds > 0) || !(width > 0) || !(height > 0)) return 0;
  return (seconds * width * height) / 1e6;
}
