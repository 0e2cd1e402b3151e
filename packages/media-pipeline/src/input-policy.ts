import { UnsupportedInputError } from './errors.ts';
import { AUDIO_FORMATS, IMAGE_FORMATS, VIDEO_FORMATS } from './input-profile.ts';
import type { ProbeResult } from './probe-result.ts';

/** What an input is, for choosing presets. */
export type MediaKind = 'video' | 'audio' | 'image';

const IMAGE_CODECS = new Set(['png', 'mjpeg', 'webp', 'bmp', 'tiff', 'gif', 'jpegls', 'jpeg2000']);
const IMAGE_DEMUXERS = new Set([
  'image2',
  'png_pipe',
  'jpeg_pipe',
  'webp_pipe',
  'bmp_pipe',
  'tiff_pipe',
  'gif',
]);

/**
 * Decides from a probe whether the input is a video, audio only, or a still image; `undefined` when it
 * has no usable stream. Cover art (`attached_pic`) does not make an audio file a video.
 *
 * @example
 * ```ts
 * import { detectMediaKind, probe } from '@media-server/media-pipeline';
 *
 * const kind = detectMediaKind(await probe('/tmp/song.mp3')); // 'audio', even with cover art
 * ```
 */
export function detectMediaKind(info: ProbeResult): MediaKind | undefined {
  const v = info.video;
  if (v) {
    const d = info.durationSeconds;
    const still =
      info.format.names.some((n) => IMAGE_DEMUXERS.has(n)) ||
      (IMAGE_CODECS.has(v.codec) && !info.audio && (v.frames === 1 || d === undefined || d <= 0.1));
    if (still && !info.audio) return 'image';
    return 'video';
  }
  if (info.audio) return 'audio';
  return undefined;
}

/** Default {@link InputPolicy.maxDurationSeconds}: 4 hours. */
export const DEFAULT_MAX_DURATION_SECONDS: number = 4 * 3600;

/** Limits a probed input must meet (see {@link checkInputPolicy}). Every field is optional. */
export interface InputPolicy {
  /** Demuxers allowed per kind (matched against the probe's format names). Default: the *_FORMATS lists. */
  formats?: Partial<Record<MediaKind, readonly string[]>> | undefined;
  /** Kinds accepted at all. Default: all three. */
  kinds?: readonly MediaKind[] | undefined;
  /** Longest accepted duration in seconds (video and audio). Default 4 h. */
  maxDurationSeconds?: number | undefined;
  /** Widest accepted frame. Default 7680. */
  maxWidth?: number | undefined;
  /** Tallest accepted frame. Default 4320. */
  maxHeight?: number | undefined;
  /** Largest accepted width × height. Default 7680 × 4320 (also for images). */
  maxPixels?: number | undefined;
  /** Most streams of any type. Default 16. */
  maxStreams?: number | undefined;
  /** Largest accepted file, in bytes. Default: no limit. */
  maxFileSizeBytes?: number | undefined;
  /** Reject video/audio whose duration is unknown. Default `true`. */
  requireDuration?: boolean | undefined;
}

/**
 * Checks a probe against the policy and returns the input's {@link MediaKind}.
 *
 * @throws UnsupportedInputError naming the `rule` that rejected it (`kind: 'input'`, permanent).
 * @example
 * ```ts
 * import { checkInputPolicy, probe } from '@media-server/media-pipeline';
 *
 * const info = await probe('/tmp/upload.bin');
 * const kind = checkInputPolicy(info, { kinds: ['video'], maxDurationSeconds: 600 }); // 'video'
 * ```
 */
export function checkInputPolicy(info: ProbeResult, policy: InputPolicy = {}): MediaKind {
  const maxStreams = policy.maxStreams ?? 16;
  if (info.streams.length === 0) throw new UnsupportedInputError('no-streams', 'input has no streams');
  if (info.streams.length > maxStreams) {
    throw new UnsupportedInputError(
      'max-streams',
      `input has ${info.streams.length} streams (limit ${maxStreams})`,
      {
        actual: info.streams.length,
        limit: maxStreams,
      },
    );
  }
  if (policy.maxFileSizeBytes !== undefined && (info.format.sizeBytes ?? 0) > policy.maxFileSizeBytes) {
    throw new UnsupportedInputError(
      'max-file-size',
      `input is larger than ${policy.maxFileSizeBytes} bytes`,
      {
        actual: info.format.sizeBytes,
        limit: policy.maxFileSizeBytes,
      },
    );
  }
  const kind = detectMediaKind(info);
  if (!kind) throw new UnsupportedInputError('no-media-stream', 'input has no audio, video or image stream');
  if (policy.kinds && !policy.kinds.includes(kind)) {
    throw new UnsupportedInputError('format', `${kind} inputs are not accepted`, { actual: kind });
  }
  const defaults: Record<MediaKind, readonly string[]> = {
    video: VIDEO_FORMATS,
    audio: AUDIO_FORMATS,
    image: IMAGE_FORMATS,
  };
  const allowed = policy.formats?.[kind] ?? defaults[kind];
  if (!info.format.names.some((n) => allowed.includes(n))) {
    throw new UnsupportedInputError(
      'format',
      `container ${info.format.names.join(',')} is not allowed for ${kind}`,
      {
        actual: info.format.names.join(','),
        limit: allowed.join(','),
      },
    );
  }
  const v = info.video;
  if (v && (v.width <= 0 || v.height <= 0)) {
    // ffprobe runs with -max_pixels: a decoder that refuses an oversized frame leaves the size at 0.
    throw new UnsupportedInputError(
      'dimensions-unknown',
      'video size is unknown: over max_pixels, or corrupt',
    );
  }
  if (v) {
    const maxW = policy.maxWidth ?? 7680;
    const maxH = policy.maxHeight ?? 4320;
    const maxPixels = policy.maxPixels ?? 7680 * 4320;
    const long = Math.max(v.width, v.height);
    const short = Math.min(v.width, v.height);
    // Compare orientation-independently so a portrait 2160x3840 passes a 3840x2160 policy.
    if (long > Math.max(maxW, maxH)) {
      throw new UnsupportedInputError('max-width', `frame ${v.width}x${v.height} is wider than ${maxW}`, {
        actual: long,
        limit: Math.max(maxW, maxH),
      });
    }
    if (short > Math.min(maxW, maxH)) {
      throw new UnsupportedInputError('max-height', `frame ${v.width}x${v.height} is taller than ${maxH}`, {
        actual: short,
        limit: Math.min(maxW, maxH),
      });
    }
    if (v.width * v.height > maxPixels) {
      throw new UnsupportedInputError(
        'max-pixels',
        `frame ${v.width}x${v.height} has more than ${maxPixels} pixels`,
        {
          actual: v.width * v.height,
          limit: maxPixels,
        },
      );
    }
  }
  if (kind !== 'image') {
    const d = info.durationSeconds;
    if (d === undefined && (policy.requireDuration ?? true)) {
      throw new UnsupportedInputError('duration-unknown', 'input duration is unknown');
    }
    const maxD = policy.maxDurationSeconds ?? DEFAULT_MAX_DURATION_SECONDS;
    if (d !== undefined && d > maxD) {
      throw new UnsupportedInputError('max-duration', `input lasts ${d} s (limit ${maxD} s)`, {
        actual: d,
        limit: maxD,
      });
    }
  }
  return kind;
}
