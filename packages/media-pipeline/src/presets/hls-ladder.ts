import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { OutputOptions } from '../builder.ts';
import { ffmpeg } from '../builder.ts';
import { InvalidOutputError, UnsupportedInputError } from '../errors.ts';
import { scale, split } from '../filter-graph.ts';
import { createInputProfile, type InputProfile } from '../input-profile.ts';
import type { OutputFile, PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS, megapixelSeconds } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';
import { expectedOutputSeconds } from '../verify-outputs.ts';

/** One rendition of the ladder. */
export interface HlsRung {
  /** Output height in pixels (width follows the aspect ratio, rounded to even). */
  height: number;
  /** Target video bitrate in bits per second. */
  videoBitrate: number;
  /** AAC bitrate in bits per second. Default 128 000. */
  audioBitrate?: number | undefined;
}

/** 1080p / 720p / 480p / 360p, the default ladder. */
export const DEFAULT_HLS_LADDER: readonly HlsRung[] = [
  { height: 1080, videoBitrate: 5_000_000 },
  { height: 720, videoBitrate: 2_800_000 },
  { height: 480, videoBitrate: 1_400_000 },
  { height: 360, videoBitrate: 800_000 },
];

/**
 * Default length of the first segments (until `segmentSeconds` of media): a player, or a publisher that serves
 * the ladder while it is encoded, gets its first segment after 1 s of media instead of 4.
 */
export const START_SEGMENT_SECONDS = 1;

/**
 * The `-force_key_frames` expression of a ladder: a keyframe every `start` seconds until `segment` seconds of
 * media, then every `segment` seconds. ffmpeg's HLS muxer cuts at the first keyframe after `hls_init_time`,
 * so these keyframes alone decide the segment boundaries (identical in every rung).
 */
export function segmentKeyframes(segment: number, start: number): string {
  if (start >= segment) return `expr:gte(t,n_forced*${segment})`;
  const startCount = Math.ceil(segment / start);
  return `expr:if(lt(t,${segment}),gte(t,n_forced*${start}),gte(t,${segment}+(n_forced-${startCount})*${segment}))`;
}

/** Options of {@link hlsLadder}. `input`, `probe` and `outputDir` are required. */
export interface HlsLadderOptions {
  /** Input file (untrusted). */
  input: string;
  /** The input's probe (source size for the rungs, audio or not, duration). */
  probe: ProbeResult;
  /** Directory for the master playlist, media playlists and segments (must exist). */
  outputDir: string;
  /** Rungs; those taller than the source are dropped (no upscaling). Default {@link DEFAULT_HLS_LADDER}. */
  ladder?: readonly HlsRung[] | undefined;
  /** `'fmp4'` (`.m4s` + init) or `'ts'`. Default `'fmp4'`. */
  segmentType?: 'fmp4' | 'ts' | undefined;
  /** Target segment length in seconds (a keyframe is forced at each boundary). Default 4. */
  segmentSeconds?: number | undefined;
  /** Length of the segments that cover the first `segmentSeconds` of media. Default {@link START_SEGMENT_SECONDS}. */
  startSegmentSeconds?: number | undefined;
  /** x264 preset. Default `'veryfast'`. */
  preset?: string | undefined;
  /** Master playlist file name. Default `'master.m3u8'`. */
  masterName?: string | undefined;
  /** Input profile. Default `createInputProfile()`. */
  profile?: InputProfile | undefined;
}

/** A rung as it will be encoded (see {@link planLadder}). */
export interface PlannedRung {
  /** `'<height>p'`: the prefix of its playlist (`720p.m3u8`) and segments (`720p_00000.m4s`). */
  name: string;
  /** Output width in pixels (even, source aspect ratio). */
  width: number;
  /** Output height in pixels (even). */
  height: number;
  /** Target video bitrate in bits per second. */
  videoBitrate: number;
  /** AAC bitrate in bits per second. */
  audioBitrate: number;
  /** RFC 6381 codec string of the video (`avc1.64001f`). */
  videoCodecTag: string;
}

/**
 * Picks the rungs for a source: every rung no taller than the source (display height, so rotated phone
 * video counts its real orientation); a source smaller than every rung gets one rung at its own height.
 *
 * @param ladder - Candidate rungs. Default {@link DEFAULT_HLS_LADDER}.
 * @throws UnsupportedInputError (`no-video-stream`, `dimensions-unknown`) when there is no video to scale.
 * @example
 * ```ts
 * import { planLadder, probe } from '@media-server/media-pipeline';
 *
 * const rungs = planLadder(await probe('/tmp/720p.mp4')); // 720p, 480p, 360p
 * console.log(rungs.map((r) => `${r.name} ${r.width}x${r.height} ${r.videoCodecTag}`));
 * ```
 */
export function planLadder(
  probe: ProbeResult,
  ladder: readonly HlsRung[] = DEFAULT_HLS_LADDER,
): PlannedRung[] {
  const v = probe.video;
  if (!v) throw new UnsupportedInputError('no-video-stream', 'an HLS ladder needs a video stream');
  if (v.displayWidth <= 0 || v.displayHeight <= 0) {
    throw new UnsupportedInputError('dimensions-unknown', 'an HLS ladder needs the video size');
  }
  const srcH = v.displayHeight;
  const srcW = v.displayWidth;
  let rungs = [...ladder].filter((r) => r.height <= srcH).sort((a, b) => b.height - a.height);
  if (rungs.length === 0) {
    const smallest = [...ladder].sort((a, b) => a.height - b.height)[0];
    rungs = [{ height: srcH - (srcH % 2), videoBitrate: smallest?.videoBitrate ?? 800_000 }];
  }
  const seen = new Set<number>();
  return rungs
    .filter((r) => {
      if (seen.has(r.height)) return false;
      seen.add(r.height);
      return true;
    })
    .map((r) => {
      const height = r.height - (r.height % 2);
      // Same rounding as FFmpeg's scale=w=-2: av_rescale(h, in_w, in_h * 2) * 2.
      const width = Math.max(2, Math.round((height * srcW) / (srcH * 2)) * 2);
      return {
        name: `${height}p`,
        width,
        height,
        videoBitrate: r.videoBitrate,
        audioBitrate: r.audioBitrate ?? 128_000,
        videoCodecTag: `avc1.6400${levelFor(width, height).toString(16).padStart(2, '0')}`,
      };
    });
}

/** H.264 level (×10) big enough for the frame size at up to 30 fps: 3.0, 3.1, 4.0, 5.1. */
function levelFor(width: number, height: number): number {
  const px = width * height;
  if (px <= 720 * 576) return 30;
  if (px <= 1280 * 720) return 31;
  if (px <= 2048 * 1088) return 40;
  return 51;
}

/**
 * HLS ladder in ONE ffmpeg process and ONE decode: the video is split and scaled once per rung, each
 * rung encoded by its own libx264 into its own media playlist; audio is encoded per rung (AAC stereo).
 * Keyframes are forced every `segmentSeconds`, so segments align across rungs. `finalize()` writes the
 * master playlist itself: BANDWIDTH is the peak bitrate of the real segments (ffmpeg's own
 * `-master_pl_name` derives it from the nominal bitrate), plus AVERAGE-BANDWIDTH, RESOLUTION, CODECS and
 * FRAME-RATE.
 *
 * @throws UnsupportedInputError when the probe has no video of known size (see {@link planLadder}).
 * @example
 * ```ts
 * import { admitInput, hlsLadder, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const { probe, profile } = await admitInput(input);
 * const plan = hlsLadder({ input, probe, profile, outputDir: '/tmp/hls', segmentSeconds: 6 });
 * const { outputs } = await runPreset(plan); // master.m3u8, 720p.m3u8, 720p_init.mp4, 720p_00000.m4s, …
 * ```
 */
export function hlsLadder(o: HlsLadderOptions): PresetPlan {
  const dir = resolve(o.outputDir);
  const rungs = planLadder(o.probe, o.ladder);
  const segType = o.segmentType ?? 'fmp4';
  const segSeconds = o.segmentSeconds ?? 4;
  const hasAudio = o.probe.audio !== undefined;
  const video = o.probe.video;
  const masterPath = join(dir, o.masterName ?? 'master.m3u8');

  let b = ffmpeg()
    .input(o.input, { profile: o.profile ?? createInputProfile() })
    .chain(
      [`0:${video?.index ?? 'v:0'}`],
      [split(rungs.length)],
      rungs.map((r) => `s${r.name}`),
    );
  for (const r of rungs) b = b.chain([`s${r.name}`], [scale({ w: r.width, h: r.height })], [`v${r.name}`]);
  for (const r of rungs) {
    b = b
      .output(
        join(dir, `${r.name}.m3u8`),
        hlsRungOutput(r, `v${r.name}`, { ...o, segmentType: segType, segmentSeconds: segSeconds }),
      )
      .cleanupOnFailure({ dir, prefix: `${r.name}_` });
  }
  const builder = b.cleanupOnFailure({ path: masterPath }).expectDuration(o.probe.durationSeconds);

  const outputs: OutputFile[] = [
    { path: masterPath, kind: 'hls-master', contentType: 'application/vnd.apple.mpegurl' },
    ...rungs.map(
      (r): OutputFile => ({
        path: join(dir, `${r.name}.m3u8`),
        kind: 'hls-playlist',
        contentType: 'application/vnd.apple.mpegurl',
        variant: r.name,
      }),
    ),
  ];

  const expected = expectedOutputSeconds(video?.durationSeconds ?? o.probe.durationSeconds, builder);
  return {
    builder,
    outputs,
    expectedDurationSeconds: expected,
    // one decode at the source size, one x264 encode (and one AAC) per rung
    estimatedCost:
      megapixelSeconds(expected, video?.width ?? 0, video?.height ?? 0) * COST_WEIGHTS.decode +
      rungs.reduce(
        (sum, r) =>
          sum +
          megapixelSeconds(expected, r.width, r.height) * COST_WEIGHTS.encodeH264 +
          (hasAudio ? (expected ?? 0) * COST_WEIGHTS.encodeAudio : 0),
        0,
      ),
    finalize: () => finalizeLadder({ dir, masterPath, rungs, segmentType: segType, probe: o.probe }),
  };
}

/**
 * Output options of one HLS rung reading the filter label `videoLabel` (audio: the source's first audio
 * stream, AAC stereo). `crf` replaces the rung's ABR settings (`-b:v`) by capped CRF: same maxrate and
 * buffer, quality-targeted below them.
 */
export function hlsRungOutput(
  r: PlannedRung,
  videoLabel: string,
  o: {
    outputDir: string;
    probe: ProbeResult;
    segmentType: 'fmp4' | 'ts';
    segmentSeconds: number;
    startSegmentSeconds?: number | undefined;
    preset?: string | undefined;
    crf?: number | undefined;
  },
): OutputOptions {
  const dir = resolve(o.outputDir);
  const ext = o.segmentType === 'fmp4' ? 'm4s' : 'ts';
  const audio = o.probe.audio;
  const startSeconds = o.startSegmentSeconds ?? START_SEGMENT_SECONDS;
  return {
    map: [videoLabel, ...(audio ? [`0:${audio.index}`] : [])],
    videoCodec: 'libx264',
    preset: o.preset ?? 'veryfast',
    profile: 'high',
    pixelFormat: 'yuv420p',
    ...(o.crf === undefined ? { videoBitrate: r.videoBitrate } : { crf: o.crf }),
    maxRate: Math.round(r.videoBitrate * 1.07),
    bufSize: r.videoBitrate * 2,
    ...(audio ? { audioCodec: 'aac', audioBitrate: r.audioBitrate, audioChannels: 2 } : { noAudio: true }),
    noSubtitles: true,
    format: 'hls',
    options: {
      'level:v': (levelFor(r.width, r.height) / 10).toFixed(1),
      force_key_frames: segmentKeyframes(o.segmentSeconds, startSeconds),
      sc_threshold: 0,
      hls_time: o.segmentSeconds,
      ...(startSeconds < o.segmentSeconds ? { hls_init_time: startSeconds } : {}),
      // EVENT: ffmpeg rewrites the playlist after every finished segment (with `vod` it writes it only
      // at the end), so a publisher can serve the ladder while it is encoded; finalizeLadder makes it VOD.
      hls_playlist_type: 'event',
      hls_segment_type: o.segmentType === 'fmp4' ? 'fmp4' : 'mpegts',
      ...(o.segmentType === 'fmp4' ? { hls_fmp4_init_filename: `${r.name}_init.mp4` } : {}),
      hls_segment_filename: join(dir, `${r.name}_%05d.${ext}`),
    },
  };
}

/**
 * After a ladder run: reads each rung's media playlist, checks its files, writes the master playlist
 * (BANDWIDTH = peak bitrate of the real segments, plus AVERAGE-BANDWIDTH, RESOLUTION, CODECS, FRAME-RATE)
 * and returns every file (master, playlists, init segments, segments). Throws on a rung without
 * segments or on files no playlist names.
 */
export async function finalizeLadder(o: {
  dir: string;
  masterPath: string;
  rungs: readonly PlannedRung[];
  segmentType: 'fmp4' | 'ts';
  probe: ProbeResult;
}): Promise<OutputFile[]> {
  const { dir, masterPath, rungs } = o;
  const segType = o.segmentType;
  const hasAudio = o.probe.audio !== undefined;
  const video = o.probe.video;
  const all: OutputFile[] = [
    { path: masterPath, kind: 'hls-master', contentType: 'application/vnd.apple.mpegurl' },
  ];
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${segType === 'fmp4' ? 7 : 3}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of rungs) {
    const playlistPath = join(dir, `${r.name}.m3u8`);
    const written = await readFile(playlistPath, 'utf8').catch((cause: unknown) => {
      throw new InvalidOutputError(`HLS rung ${r.name} has no playlist`, playlistPath, { cause });
    });
    const media = parseMediaPlaylist(written, playlistPath);
    if (media.segments.length === 0) {
      throw new InvalidOutputError(`HLS rung ${r.name} has no segments`, playlistPath);
    }
    if (!media.ended) throw new InvalidOutputError(`HLS rung ${r.name} has no #EXT-X-ENDLIST`, playlistPath);
    await writeFile(playlistPath, written.replace('#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-PLAYLIST-TYPE:VOD'));
    all.push({
      path: playlistPath,
      kind: 'hls-playlist',
      contentType: 'application/vnd.apple.mpegurl',
      variant: r.name,
    });
    if (media.map) {
      await sizeOf(join(dir, media.map));
      all.push({
        path: join(dir, media.map),
        kind: 'hls-init',
        contentType: 'video/mp4',
        variant: r.name,
      });
    }
    let peak = 0;
    let bytes = 0;
    let seconds = 0;
    for (const seg of media.segments) {
      const p = join(dir, seg.uri);
      const size = await sizeOf(p);
      bytes += size;
      seconds += seg.duration;
      if (seg.duration > 0) peak = Math.max(peak, (size * 8) / seg.duration);
      all.push({
        path: p,
        kind: 'hls-segment',
        contentType: segType === 'fmp4' ? 'video/iso.segment' : 'video/mp2t',
        variant: r.name,
      });
    }
    const average = seconds > 0 ? (bytes * 8) / seconds : r.videoBitrate;
    const codecs = hasAudio ? `${r.videoCodecTag},mp4a.40.2` : r.videoCodecTag;
    const fps = video?.fps ? `,FRAME-RATE=${video.fps.toFixed(3)}` : '';
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.ceil(Math.max(peak, average))},AVERAGE-BANDWIDTH=${Math.ceil(average)},` +
        `RESOLUTION=${r.width}x${r.height},CODECS="${codecs}"${fps}`,
      `${r.name}.m3u8`,
    );
  }
  await writeFile(masterPath, `${lines.join('\n')}\n`);
  // Anything left in the directory with a rung prefix that the playlists do not name is stray: report it.
  const listed = new Set(all.map((f) => f.path));
  const names = await readdir(dir);
  const stray = names.filter(
    (n) => rungs.some((r) => n.startsWith(`${r.name}_`)) && !listed.has(join(dir, n)),
  );
  if (stray.length) {
    throw new InvalidOutputError(`HLS output has files no playlist lists: ${stray.join(', ')}`, dir);
  }
  return all;
}

/** Size of a file a playlist names; {@link InvalidOutputError} when it is not there. */
async function sizeOf(path: string): Promise<number> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new InvalidOutputError(`a playlist names a missing file: ${path}`, path);
  return st.size;
}

/** A parsed HLS media playlist. */
export interface MediaPlaylist {
  /** `#EXT-X-MAP` URI (fMP4 init segment). */
  map: string | undefined;
  /** `#EXT-X-TARGETDURATION` in seconds. */
  targetDuration: number | undefined;
  /** Segments in order: file name (relative, no directory) and `#EXTINF` duration in seconds. */
  segments: { uri: string; duration: number }[];
  /** `true` once `#EXT-X-ENDLIST` is there (a finished playlist). */
  ended: boolean;
}

/**
 * Parses an HLS media playlist (the subset ffmpeg writes).
 *
 * @param path - Where the text came from, named in the error.
 * @throws InvalidOutputError when the text is not a playlist or names a segment outside its directory.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseMediaPlaylist } from '@media-server/media-pipeline';
 *
 * const media = parseMediaPlaylist(await readFile('/tmp/hls/720p.m3u8', 'utf8'));
 * const seconds = media.segments.reduce((sum, s) => sum + s.duration, 0);
 * ```
 */
export function parseMediaPlaylist(text: string, path?: string | undefined): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new InvalidOutputError(`not an HLS playlist${at(path)}`, path);
  let map: string | undefined;
  let targetDuration: number | undefined;
  let pending: number | undefined;
  const segments: { uri: string; duration: number }[] = [];
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MAP:')) map = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) {
      if (line.includes('/') || line.includes('..')) {
        throw new InvalidOutputError(`unexpected segment URI${at(path)}: ${line}`, path);
      }
      segments.push({ uri: line, duration: pending ?? 0 });
      pending = undefined;
    }
  }
  return { map, targetDuration, segments, ended: lines.includes('#EXT-X-ENDLIST') };
}

/** One variant of a master playlist. */
export interface MasterVariant {
  /** The media playlist's URI (`720p.m3u8`). */
  uri: string;
  /** `#EXT-X-STREAM-INF` attributes by name, quotes removed (`BANDWIDTH`, `RESOLUTION`, `CODECS`, …). */
  attributes: Record<string, string>;
}

/**
 * Parses an HLS master playlist into its variants and their attributes (quotes removed).
 *
 * @param path - Where the text came from, named in the error.
 * @throws InvalidOutputError when the text is not a playlist.
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseMasterPlaylist } from '@media-server/media-pipeline';
 *
 * const variants = parseMasterPlaylist(await readFile('/tmp/hls/master.m3u8', 'utf8'));
 * for (const v of variants) console.log(v.uri, v.attributes.RESOLUTION, v.attributes.BANDWIDTH);
 * ```
 */
export function parseMasterPlaylist(text: string, path?: string | undefined): MasterVariant[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new InvalidOutputError(`not an HLS playlist${at(path)}`, path);
  const out: MasterVariant[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attributes: Record<string, string> = {};
    for (const m of line.slice(18).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
      attributes[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
    }
    out.push({ uri: lines[i + 1] ?? '', attributes });
  }
  return out;
}

function at(path: string | undefined): string {
  return path === undefined ? '' : ` (${path})`;
}
