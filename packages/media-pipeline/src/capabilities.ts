import { execa } from 'execa';
import { resolveBinaries } from './binaries.ts';
import { FfmpegNotFoundError } from './errors.ts';
import { NO_PATHS } from './sandbox/paths.ts';
import { planSpawn } from './sandbox/spawn-plan.ts';

/** What an ffmpeg binary can do, as read from its own `-version`, `-encoders`, `-muxers`, … and `-h full`. */
export interface FfmpegCapabilities {
  /** Path of the binary that was read. */
  binary: string;
  /** First line of `ffmpeg -version`. */
  versionLine: string;
  /** Version token (`N-47683-g0e8eb07980-static`, `6.1`). */
  version: string;
  /** Copyright end year, a rough build date (`2018`). */
  year: number | undefined;
  /** Encoder names (`libx264`, `aac`, `libwebp`, …). */
  encoders: ReadonlySet<string>;
  /** Decoder names. */
  decoders: ReadonlySet<string>;
  /** Muxer (output format) names (`mp4`, `hls`, `image2`, …). */
  muxers: ReadonlySet<string>;
  /** Demuxer (input format) names. */
  demuxers: ReadonlySet<string>;
  /** Filter names (`scale`, `tile`, …). */
  filters: ReadonlySet<string>;
  /** Every option name listed by `-h full` (without the dash). */
  options: ReadonlySet<string>;
  /** Derived feature flags the presets and runner branch on. */
  features: {
    /** `-stats_period` (FFmpeg ≥ 4.4); the 2018 build lacks it, progress then comes every 0.5 s. */
    statsPeriod: boolean;
    /** `-protocol_whitelist` input option. */
    protocolWhitelist: boolean;
    /** `-format_whitelist` input option. */
    formatWhitelist: boolean;
    /** `-max_streams` demuxer option. */
    maxStreams: boolean;
    /** `-max_pixels` decoder option. */
    maxPixels: boolean;
    /** `-max_alloc` global option. */
    maxAlloc: boolean;
    /** `-skip_frame` decoder option. */
    skipFrame: boolean;
    /** HLS muxer can write fMP4 segments (`-hls_segment_type fmp4`). */
    hlsFmp4: boolean;
    /** `-master_pl_name` of the HLS muxer. */
    hlsMasterPlaylist: boolean;
    /** The libx264 encoder (every video preset). */
    libx264: boolean;
    /** The native AAC encoder. */
    aac: boolean;
    /** The LAME MP3 encoder (`audioOnly` with `codec: 'mp3'`). */
    libmp3lame: boolean;
    /** The libwebp encoder (WebP image variants). */
    libwebp: boolean;
    /** AVIF output: an AV1 encoder plus the `avif` muxer. */
    avif: boolean;
  };
}

const cache = new Map<string, Promise<FfmpegCapabilities>>();

/**
 * Reads (once per binary, cached) what the ffmpeg binary supports, so presets can degrade instead of failing.
 *
 * @param ffmpegPath - The binary to read. Default {@link resolveBinaries}`().ffmpeg`.
 * @throws FfmpegNotFoundError when the binary cannot run.
 * @example
 * ```ts
 * import { getCapabilities } from '@media-server/media-pipeline';
 *
 * const caps = await getCapabilities();
 * const format = caps.features.libwebp ? 'webp' : 'jpeg';
 * console.log(caps.version, format, caps.encoders.has('libx265'));
 * ```
 */
export function getCapabilities(ffmpegPath?: string): Promise<FfmpegCapabilities> {
  const binary = ffmpegPath ?? resolveBinaries().ffmpeg;
  let p = cache.get(binary);
  if (!p) {
    p = readCapabilities(binary);
    p.catch(() => cache.delete(binary));
    cache.set(binary, p);
  }
  return p;
}

async function readCapabilities(binary: string): Promise<FfmpegCapabilities> {
  const run = async (...args: string[]): Promise<string> => {
    const spawn = await planSpawn(binary, ['-hide_banner', ...args], { paths: NO_PATHS });
    const r = await execa(spawn.command, spawn.args, {
      reject: false,
      stdin: 'ignore',
      maxBuffer: 64 * 1024 * 1024,
      env: spawn.env,
      extendEnv: false,
    });
    if ((r as { code?: string }).code === 'ENOENT' || (r as { code?: string }).code === 'EACCES') {
      throw new FfmpegNotFoundError(`cannot execute ffmpeg at ${binary}`, binary, { cause: r });
    }
    return String(r.stdout);
  };
  const [versionOut, encOut, decOut, muxOut, demuxOut, filterOut, helpOut] = await Promise.all([
    run('-version'),
    run('-encoders'),
    run('-decoders'),
    run('-muxers'),
    run('-demuxers'),
    run('-filters'),
    run('-h', 'full'),
  ]);
  const versionLine = versionOut.split('\n')[0] ?? '';
  const encoders = codecList(encOut);
  const muxers = formatList(muxOut, 'E');
  const options = new Set([...helpOut.matchAll(/^\s*-([a-z0-9_:]+)\b/gim)].map((m) => m[1] ?? ''));
  const hlsHelp = helpOut.slice(helpOut.indexOf('hls muxer'));
  return {
    binary,
    versionLine,
    version: /version (\S+)/.exec(versionLine)?.[1] ?? 'unknown',
    year: numberOr(/\(c\) \d{4}-(\d{4})/.exec(versionLine)?.[1]),
    encoders,
    decoders: codecList(decOut),
    muxers,
    demuxers: formatList(demuxOut, 'D'),
    filters: new Set(
      [...filterOut.matchAll(/^\s[.TSC]{3}\s+([a-z0-9_]+)\s+\S+->\S+/gm)].map((m) => m[1] ?? ''),
    ),
    options,
    features: {
      statsPeriod: options.has('stats_period'),
      protocolWhitelist: options.has('protocol_whitelist'),
      formatWhitelist: options.has('format_whitelist'),
      maxStreams: options.has('max_streams'),
      maxPixels: options.has('max_pixels'),
      maxAlloc: options.has('max_alloc'),
      skipFrame: options.has('skip_frame'),
      hlsFmp4: /hls_segment_type[\s\S]{0,400}fmp4/.test(hlsHelp),
      hlsMasterPlaylist: options.has('master_pl_name'),
      libx264: encoders.has('libx264'),
      aac: encoders.has('aac'),
      libmp3lame: encoders.has('libmp3lame'),
      libwebp: encoders.has('libwebp'),
      avif:
        muxers.has('avif') &&
        (encoders.has('libaom-av1') || encoders.has('libsvtav1') || encoders.has('librav1e')),
    },
  };
}

function codecList(out: string): Set<string> {
  // " V..... libx264              libx264 H.264 ..."
  return new Set([...out.matchAll(/^\s[VAS][A-Z.]{5}\s+(\S+)/gm)].map((m) => m[1] ?? ''));
}

function formatList(out: string, flag: 'D' | 'E'): Set<string> {
  const names = new Set<string>();
  for (const m of out.matchAll(/^\s([D ])([E ])\s+(\S+)/gm)) {
    if ((flag === 'D' && m[1] === 'D') || (flag === 'E' && m[2] === 'E')) {
      for (const n of (m[3] ?? '').split(',')) names.add(n);
    }
  }
  return names;
}

function numberOr(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}
