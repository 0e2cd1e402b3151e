/**
 * Demuxer-level limits applied to every untrusted file input (placed before its `-i`).
 * Built by {@link createInputProfile}; the defaults are safe for user uploads.
 */
export interface InputProfile {
  /** `-protocol_whitelist`: protocols the demuxer may open. Default `['file']`. */
  readonly protocols: readonly string[];
  /**
   * `-format_whitelist`: demuxers that may open the input. This, not the protocol whitelist, is what stops
   * an HLS playlist or DASH manifest renamed `.mp4` from being opened at all. Default {@link DEFAULT_FORMATS}.
   */
  readonly formats: readonly string[];
  /** `-probesize` in bytes. Default 5 000 000. */
  readonly probeSize: number;
  /** `-analyzeduration` in microseconds. Default 5 000 000 (5 s). */
  readonly analyzeDurationUs: number;
  /** `-max_streams`: the demuxer refuses to allocate more streams than this. Default 16. */
  readonly maxStreams: number;
  /** `-max_pixels`: decoders refuse frames larger than this (width × height). Default 7680 × 4320. */
  readonly maxPixels: number;
  /** `-max_alloc` (global): largest single allocation, in bytes. Default 512 MiB. */
  readonly maxAllocBytes: number;
  /** `-t` on the input: never read more than this many seconds. Default: unset. */
  readonly maxDurationSeconds?: number | undefined;
  /**
   * Read a file that is still being written (a download in progress): at its current end the file
   * protocol waits for more bytes (`-follow 1`) instead of ending, and fails after this many seconds
   * without any (`-rw_timeout`). Only for a container read front to back (MP4 with `moov` first,
   * MPEG-TS). Default: unset (the file ends where it ends).
   */
  readonly followGrowingFileSeconds?: number | undefined;
}

/** Container demuxers accepted for video uploads (FFmpeg demuxer names). */
export const VIDEO_FORMATS: readonly string[] = [
  'mov',
  'mp4',
  'matroska',
  'webm',
  'avi',
  'mpegts',
  'flv',
  'mpeg',
  'ogg',
];
/** Container demuxers accepted for audio uploads. */
export const AUDIO_FORMATS: readonly string[] = [
  'mp3',
  'aac',
  'wav',
  'flac',
  'ogg',
  'mov',
  'matroska',
  'webm',
];
/** Demuxers accepted for still images. */
export const IMAGE_FORMATS: readonly string[] = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'bmp_pipe', 'image2'];
/** Union of video, audio and image demuxers: the default whitelist. */
export const DEFAULT_FORMATS: readonly string[] = [
  ...new Set([...VIDEO_FORMATS, ...AUDIO_FORMATS, ...IMAGE_FORMATS]),
];

/**
 * Builds an {@link InputProfile}, filling every field you leave out with its safe default.
 *
 * @throws TypeError when a protocol or format name is not `[a-z0-9_]+`.
 * @example
 * ```ts
 * import { createInputProfile, ffmpeg, VIDEO_FORMATS } from '@media-server/media-pipeline';
 *
 * const profile = createInputProfile({ formats: VIDEO_FORMATS, maxDurationSeconds: 600 });
 * ffmpeg().input('/tmp/upload.mp4', { profile }).output('/tmp/out.mp4');
 * ```
 */
export function createInputProfile(overrides: Partial<InputProfile> = {}): InputProfile {
  const profile: InputProfile = {
    protocols: overrides.protocols ?? ['file'],
    formats: overrides.formats ?? DEFAULT_FORMATS,
    probeSize: overrides.probeSize ?? 5_000_000,
    analyzeDurationUs: overrides.analyzeDurationUs ?? 5_000_000,
    maxStreams: overrides.maxStreams ?? 16,
    maxPixels: overrides.maxPixels ?? 7680 * 4320,
    maxAllocBytes: overrides.maxAllocBytes ?? 512 * 1024 * 1024,
    maxDurationSeconds: overrides.maxDurationSeconds,
    followGrowingFileSeconds: overrides.followGrowingFileSeconds,
  };
  for (const name of [...profile.protocols, ...profile.formats]) {
    if (!/^[a-z0-9_]+$/.test(name))
      throw new TypeError(`invalid protocol/format name: ${JSON.stringify(name)}`);
  }
  return Object.freeze(profile);
}

/**
 * The per-input arguments of a profile, in the order FFmpeg expects them before `-i`. `-t` is left out
 * (the builder merges it with the input's own duration). With `path`, the `image2` demuxer is kept from
 * reading a *sequence*: a name such as `img%03d.jpg` would otherwise make it open `img001.jpg`,
 * `img002.jpg`, … next to it. If `image2` is the only allowed demuxer, `-pattern_type none` is added
 * (the option is fatal for any other demuxer, so only then); otherwise `image2` is dropped from the
 * whitelist for a path containing `%`.
 */
export function inputProfileArgs(p: InputProfile, path?: string | undefined): string[] {
  const onlyImage2 = p.formats.length > 0 && p.formats.every((f) => f === 'image2');
  const formats = !onlyImage2 && path?.includes('%') ? p.formats.filter((f) => f !== 'image2') : p.formats;
  const args = [
    '-protocol_whitelist',
    p.protocols.join(','),
    '-format_whitelist',
    formats.join(','),
    '-probesize',
    String(p.probeSize),
    '-analyzeduration',
    String(p.analyzeDurationUs),
    '-max_streams',
    String(p.maxStreams),
    '-max_pixels',
    String(p.maxPixels),
  ];
  if (onlyImage2) args.push('-pattern_type', 'none');
  if (p.followGrowingFileSeconds !== undefined) {
    args.push('-follow', '1', '-rw_timeout', String(Math.round(p.followGrowingFileSeconds * 1_000_000)));
  }
  return args;
}
