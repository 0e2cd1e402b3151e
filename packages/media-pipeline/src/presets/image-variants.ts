import { join, resolve } from 'node:path';
import { ffmpeg } from '../builder.ts';
import type { FfmpegCapabilities } from '../capabilities.ts';
import { CapabilityMissingError } from '../errors.ts';
import { filter, split } from '../filter-graph.ts';
import { createInputProfile, IMAGE_FORMATS, type InputProfile } from '../input-profile.ts';
import { assertOutputsExist, contentTypeFor, type OutputFile, type PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';

/** Image output formats. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'avif';

/** One variant to produce. */
export interface ImageVariant {
  /** File name without extension, e.g. `'thumb'`. Letters, digits, `-`, `_`. */
  name: string;
  /** Bounding box width; the image is fitted inside, never enlarged. */
  maxWidth: number;
  /** Bounding box height. Default: same as `maxWidth`. */
  maxHeight?: number | undefined;
  /** Output format (and extension: `.jpg`, `.png`, `.webp`, `.avif`). */
  format: ImageFormat;
  /** Quality 1–100 (JPEG/WebP). Default 80. */
  quality?: number | undefined;
}

/** Options of {@link imageVariants}. `input`, `probe`, `outputDir` and `variants` are required. */
export interface ImageVariantsOptions {
  /** Input image (untrusted). */
  input: string;
  /** The input's probe. */
  probe: ProbeResult;
  /** Directory for `<name>.<ext>` per variant (must exist). */
  outputDir: string;
  /** What to produce: one file per variant. */
  variants: readonly ImageVariant[];
  /**
   * Capabilities of the binary: variants whose format it cannot encode (AVIF on the 2018 build, WebP without
   * libwebp) are skipped and reported in `skipped` instead of failing. Without it, AVIF is skipped.
   */
  capabilities?: FfmpegCapabilities | undefined;
  /** Input profile. Default `createInputProfile({ formats: IMAGE_FORMATS })`. */
  profile?: InputProfile | undefined;
}

/** {@link PresetPlan} plus the variants left out because the binary cannot make them. */
export interface ImageVariantsPlan extends PresetPlan {
  /** Variants left out, and why (the binary cannot encode their format). */
  skipped: { variant: ImageVariant; reason: string }[];
}

const EXT: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' };

/**
 * Resizes/converts one image into several variants in one process (decode once, split, scale each).
 *
 * @throws CapabilityMissingError when the binary can make none of the variants; TypeError for a bad name.
 * @example
 * ```ts
 * import { admitInput, getCapabilities, imageVariants, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/photo.jpg';
 * const { probe, profile } = await admitInput(input);
 * const variants = [{ name: 'thumb', maxWidth: 320, format: 'webp' as const, quality: 75 }];
 * const capabilities = await getCapabilities();
 * const plan = imageVariants({ input, probe, profile, outputDir: '/tmp/img', variants, capabilities });
 * const { outputs } = await runPreset(plan); // thumb.webp; plan.skipped lists what this binary cannot make
 * ```
 */
export function imageVariants(o: ImageVariantsOptions): ImageVariantsPlan {
  const dir = resolve(o.outputDir);
  const skipped: { variant: ImageVariant; reason: string }[] = [];
  const usable = o.variants.filter((v) => {
    if (!/^[A-Za-z0-9_-]+$/.test(v.name)) throw new TypeError(`invalid variant name: ${v.name}`);
    const reason = unsupported(v.format, o.capabilities);
    if (reason) skipped.push({ variant: v, reason });
    return !reason;
  });
  if (usable.length === 0) {
    throw new CapabilityMissingError(
      skipped.map((s) => s.variant.format).join(','),
      `imageVariants: no variant can be produced with this binary (${skipped.map((s) => s.reason).join('; ')})`,
    );
  }
  const profile = o.profile ?? createInputProfile({ formats: IMAGE_FORMATS });
  let b = ffmpeg()
    .input(o.input, { profile })
    .chain(
      [`0:${o.probe.video?.index ?? 'v:0'}`],
      [split(usable.length)],
      usable.map((_, i) => `in${i}`),
    );
  usable.forEach((v, i) => {
    const w = v.maxWidth;
    const h = v.maxHeight ?? v.maxWidth;
    b = b.chain(
      [`in${i}`],
      [
        filter('scale', {
          w: `min(iw,${w})`,
          h: `min(ih,${h})`,
          force_original_aspect_ratio: 'decrease',
        }),
        ...(v.format === 'jpeg' ? [filter('format', { pix_fmts: 'yuvj420p' })] : []),
      ],
      [`out${i}`],
    );
  });
  const outputs: OutputFile[] = [];
  usable.forEach((v, i) => {
    const path = join(dir, `${v.name}.${EXT[v.format]}`);
    const q = v.quality ?? 80;
    const codec: Record<ImageFormat, Record<string, string | number>> = {
      jpeg: { 'c:v': 'mjpeg', 'q:v': Math.round(31 - (q / 100) * 29) },
      png: { 'c:v': 'png' },
      webp: { 'c:v': 'libwebp', quality: q },
      avif: {
        'c:v': 'libaom-av1',
        crf: Math.round(63 - (q / 100) * 50),
        'still-picture': 1,
        // libaom's default (cpu-used 1) takes seconds for one thumbnail; 6 is ~3× faster, same size here.
        'cpu-used': 6,
      },
    };
    b = b.output(path, {
      map: [`out${i}`],
      videoFrames: 1,
      format: v.format === 'avif' ? 'avif' : 'image2',
      options: { ...codec[v.format], ...(v.format === 'avif' ? {} : { update: 1 }) },
    });
    outputs.push({ path, kind: 'image', contentType: contentTypeFor(path), variant: v.name });
  });
  const v = o.probe.video;
  const sourceMegapixels = ((v?.width ?? 0) * (v?.height ?? 0)) / 1e6;
  return {
    builder: b,
    outputs,
    skipped,
    expectedDurationSeconds: undefined,
    estimatedCost: sourceMegapixels * COST_WEIGHTS.image * (1 + usable.length),
    async finalize() {
      await assertOutputsExist(outputs);
      return outputs;
    },
  };
}

function unsupported(format: ImageFormat, caps: FfmpegCapabilities | undefined): string | undefined {
  if (format === 'avif') {
    if (!caps?.features.avif) return 'this ffmpeg has no AVIF muxer/AV1 encoder';
  }
  if (format === 'webp' && caps && !caps.features.libwebp) return 'this ffmpeg has no libwebp encoder';
  return undefined;
}
