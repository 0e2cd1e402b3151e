import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ffmpeg } from '../builder.ts';
import { InvalidOutputError, UnsupportedInputError } from '../errors.ts';
import { scale, select, split, tile } from '../filter-graph.ts';
import { createInputProfile, type InputProfile } from '../input-profile.ts';
import { assertOutputsExist, type OutputFile, type PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS, megapixelSeconds } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';
import { type RunFfmpegOptions, runFfmpeg } from '../run-ffmpeg.ts';
import { planStoryboard, type StoryboardLayout } from '../storyboard-layout.ts';
import { expectedOutputSeconds } from '../verify-outputs.ts';
import {
  DEFAULT_HLS_LADDER,
  finalizeLadder,
  type HlsRung,
  hlsRungOutput,
  type PlannedRung,
  parseMediaPlaylist,
  planLadder,
} from './hls-ladder.ts';
import { storyboardVtt } from './sprite.ts';

/**
 * x264 settings of the top rung, which is both the best HLS rendition and (remuxed) the MP4 download.
 * Capped CRF: quality-targeted like the separate MP4 (CRF 23, `medium`), under the rung's maxrate.
 * Measured on 20 s 720p and 1080p sources (see the README): `veryfast` at CRF 21.2 lands within
 * 0.4 dB PSNR of the separate `medium` CRF 23 MP4 at 1.07–1.09× its size, for about 55–60 % of its CPU;
 * `{ preset: 'faster', crf: 22.5 }` matches its PSNR (±0.15 dB) for about 75–85 % of its CPU.
 */
export const SHARED_TOP_RUNG: { readonly preset: string; readonly crf: number } = {
  preset: 'veryfast',
  crf: 21.2,
};

/** Options of {@link videoSet}. `input`, `probe` and `hlsDir` are required; each other output is opt-in. */
export interface VideoSetOptions {
  /** Input file (untrusted). */
  input: string;
  /** The input's probe (video stream, size, duration, audio or not). */
  probe: ProbeResult;
  /** HLS directory (master, media playlists, segments); must exist. */
  hlsDir: string;
  /** MP4 download path: the top rung's encode remuxed (`+faststart`). Omit for no MP4. */
  mp4Output?: string | undefined;
  /** Poster image path (`.jpg`). Omit for no poster. */
  posterOutput?: string | undefined;
  /** Storyboard directory (`storyboard-N.jpg` sheets + `storyboard.vtt`); must exist. Omit for none. */
  storyboardDir?: string | undefined;
  /** Rungs (no upscaling, as `hlsLadder`). Default {@link DEFAULT_HLS_LADDER}. */
  ladder?: readonly HlsRung[] | undefined;
  /** Target HLS segment length in seconds. Default 4. */
  segmentSeconds?: number | undefined;
  /** Length of the segments covering the first `segmentSeconds` of media (as {@link hlsLadder}). Default 1. */
  startSegmentSeconds?: number | undefined;
  /** Top rung's x264 settings. Default {@link SHARED_TOP_RUNG}. */
  topRung?: { preset: string; crf: number } | undefined;
  /** Poster time in seconds. Default 10 % into the video, at most 10 s (as `poster`). */
  posterAt?: number | undefined;
  /** Poster width, never more than the source. Default 1280. */
  posterWidth?: number | undefined;
  /** Input profile. Default `createInputProfile()`. */
  profile?: InputProfile | undefined;
  /** How `finalize()` runs the MP4 remux (a stream copy): binary, sandbox mode, abort. Default: none. */
  remux?: Pick<RunFfmpegOptions, 'ffmpegPath' | 'sandbox' | 'signal'> | undefined;
}

/** {@link PresetPlan} of {@link videoSet}, plus what it decided. */
export interface VideoSetPlan extends PresetPlan {
  /** The HLS rungs, tallest (the MP4's) first. */
  rungs: PlannedRung[];
  /** The storyboard's layout, when `storyboardDir` was given. */
  storyboard: StoryboardLayout | undefined;
}

/**
 * Every output of a default video job from ONE decode of the source, each rendition encoded once: the
 * decoded picture is split into the HLS rungs (fMP4, same files and master playlist as
 * `hlsLadder`), a poster branch (the first frame at `posterAt`) and a storyboard branch (the first
 * frame of each tile window, tiled into sheets as `sprite` does). The top rung is encoded with
 * capped CRF ({@link SHARED_TOP_RUNG}) and `finalize()` remuxes its init + segments into the MP4
 * download (`-c copy`, `+faststart`): no second encode of the top resolution. Audio is AAC per rung.
 *
 * @throws UnsupportedInputError (`no-video-stream`; `duration-unknown` with a storyboard) for an input it
 *   cannot use.
 * @example
 * ```ts
 * import { admitInput, runPreset, videoSet } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const { probe, profile } = await admitInput(input);
 * const plan = videoSet({ input, probe, profile, hlsDir: '/out/hls', mp4Output: '/out/mp4/video.mp4',
 *   posterOutput: '/out/poster.jpg', storyboardDir: '/out/sprite' });
 * const { outputs } = await runPreset(plan, { signal: AbortSignal.timeout(3_600_000) });
 * ```
 */
export function videoSet(o: VideoSetOptions): VideoSetPlan {
  const v = o.probe.video;
  if (!v) throw new UnsupportedInputError('no-video-stream', 'videoSet needs a video stream');
  const dir = resolve(o.hlsDir);
  const rungs = planLadder(o.probe, o.ladder ?? DEFAULT_HLS_LADDER);
  const top = o.topRung ?? SHARED_TOP_RUNG;
  const segmentSeconds = o.segmentSeconds ?? 4;
  const profile = o.profile ?? createInputProfile();
  const duration = v.durationSeconds ?? o.probe.durationSeconds;
  const masterPath = join(dir, 'master.m3u8');

  const branches = rungs.map((r) => `s${r.name}`);
  if (o.posterOutput) branches.push('sposter');
  const layout =
    o.storyboardDir && duration !== undefined && duration > 0
      ? planStoryboard(Math.min(duration, profile.maxDurationSeconds ?? duration), {
          thumbWidth: 160,
          thumbHeight:
            v.displayWidth > 0
              ? Math.max(2, Math.round((160 * v.displayHeight) / (v.displayWidth * 2)) * 2)
              : 160,
        })
      : undefined;
  if (o.storyboardDir && !layout) {
    throw new UnsupportedInputError('duration-unknown', 'a storyboard needs a video of known duration');
  }
  if (layout) branches.push('sstoryboard');

  let b = ffmpeg()
    .input(o.input, { profile })
    .chain([`0:${v.index}`], [split(branches.length)], branches);
  for (const r of rungs) b = b.chain([`s${r.name}`], [scale({ w: r.width, h: r.height })], [`v${r.name}`]);
  for (const [i, r] of rungs.entries()) {
    b = b
      .output(
        join(dir, `${r.name}.m3u8`),
        hlsRungOutput(r, `v${r.name}`, {
          outputDir: dir,
          probe: o.probe,
          segmentType: 'fmp4',
          segmentSeconds,
          startSegmentSeconds: o.startSegmentSeconds,
          ...(i === 0 ? top : {}),
        }),
      )
      .cleanupOnFailure({ dir, prefix: `${r.name}_` });
  }
  b = b.cleanupOnFailure({ path: masterPath });

  const outputs: OutputFile[] = [
    { path: masterPath, kind: 'hls-master', contentType: 'application/vnd.apple.mpegurl' },
  ];
  if (o.posterOutput) {
    const d = duration ?? 0;
    const at = Math.max(0, Math.min(o.posterAt ?? Math.min(10, d * 0.1), Math.max(0, d - 0.1)));
    const width = Math.min(o.posterWidth ?? 1280, v.displayWidth > 0 ? v.displayWidth : 1280);
    b = b
      .chain(
        ['sposter'],
        [select(`isnan(prev_selected_t)*gte(t,${at})`), scale({ w: width - (width % 2), h: -2 })],
        ['vposter'],
      )
      .output(o.posterOutput, {
        map: ['vposter'],
        videoFrames: 1,
        noAudio: true,
        format: 'image2',
        options: { 'q:v': 3, update: 1 },
      });
    outputs.push({ path: resolve(o.posterOutput), kind: 'poster', contentType: 'image/jpeg' });
  }
  const vttPath = o.storyboardDir ? join(resolve(o.storyboardDir), 'storyboard.vtt') : undefined;
  if (layout && o.storyboardDir && vttPath) {
    const sbDir = resolve(o.storyboardDir);
    const I = layout.intervalSeconds;
    b = b
      .chain(
        ['sstoryboard'],
        [
          // The first frame decoded in each tile's window [i·I, (i+1)·I), as the sprite preset.
          select(`isnan(prev_selected_t)+gte(floor(max(t,0)/${I}),floor(max(prev_selected_t,0)/${I})+1)`),
          scale({ w: layout.thumbWidth, h: layout.thumbHeight }),
          tile(layout.columns, layout.rows),
        ],
        ['vstoryboard'],
      )
      .output(join(sbDir, 'storyboard-%d.jpg'), {
        map: ['vstoryboard'],
        videoFrames: layout.sheets,
        noAudio: true,
        format: 'image2',
        options: { vsync: 'vfr', 'q:v': 4, start_number: 0 },
      })
      .cleanupOnFailure({ dir: sbDir, prefix: 'storyboard-' })
      .cleanupOnFailure({ path: vttPath });
    for (let s = 0; s < layout.sheets; s++)
      outputs.push({ path: join(sbDir, `storyboard-${s}.jpg`), kind: 'sprite', contentType: 'image/jpeg' });
    outputs.push({ path: vttPath, kind: 'vtt', contentType: 'text/vtt' });
  }
  const mp4Path = o.mp4Output ? resolve(o.mp4Output) : undefined;
  if (mp4Path) {
    outputs.push({ path: mp4Path, kind: 'mp4', contentType: 'video/mp4' });
    b = b.cleanupOnFailure({ path: mp4Path }).cleanupOnFailure({ path: fragmentPath(mp4Path) });
  }
  const builder = b.expectDuration(o.probe.durationSeconds);
  const expected = expectedOutputSeconds(duration, builder);
  const hasAudio = o.probe.audio !== undefined;

  return {
    builder,
    outputs,
    rungs,
    storyboard: layout,
    expectedDurationSeconds: expected,
    // one decode, one x264 encode (and one AAC) per rung; poster and storyboard scale a few frames
    estimatedCost:
      megapixelSeconds(expected, v.width, v.height) * COST_WEIGHTS.decode +
      rungs.reduce(
        (sum, r) =>
          sum +
          megapixelSeconds(expected, r.width, r.height) * COST_WEIGHTS.encodeH264 +
          (hasAudio ? (expected ?? 0) * COST_WEIGHTS.encodeAudio : 0),
        0,
      ),
    async finalize() {
      const files = await finalizeLadder({ dir, masterPath, rungs, segmentType: 'fmp4', probe: o.probe });
      const extra = outputs.filter((f) => f.kind === 'poster' || f.kind === 'sprite');
      await assertOutputsExist(extra);
      if (layout && vttPath) await writeFile(vttPath, storyboardVtt(layout, 'storyboard'));
      const topRung = rungs[0];
      if (mp4Path && topRung) await remuxTopRung(dir, topRung.name, mp4Path, o.remux);
      return [
        ...files,
        ...outputs.filter((f) => f.kind === 'poster' || f.kind === 'sprite' || f.kind === 'vtt'),
        ...(mp4Path ? outputs.filter((f) => f.kind === 'mp4') : []),
      ];
    },
  };
}

function fragmentPath(mp4Path: string): string {
  return join(dirname(mp4Path), `.${basename(mp4Path)}.fragments.mp4`);
}

/**
 * The top rung as a progressive MP4: its init segment and media segments (in playlist order) are one
 * fragmented MP4 once concatenated; ffmpeg copies its streams into a regular MP4 with the index first.
 */
async function remuxTopRung(
  hlsDir: string,
  rung: string,
  mp4Path: string,
  run: VideoSetOptions['remux'],
): Promise<void> {
  const playlist = join(hlsDir, `${rung}.m3u8`);
  const media = parseMediaPlaylist(await readFile(playlist, 'utf8'), playlist);
  if (!media.map) throw new InvalidOutputError(`HLS rung ${rung} has no init segment`, playlist);
  const fragments = fragmentPath(mp4Path);
  try {
    // One segment in memory at a time (a few MB: `segmentSeconds` of the top rung).
    const out = await open(fragments, 'w');
    try {
      for (const name of [media.map, ...media.segments.map((s) => s.uri)]) {
        await out.write(await readFile(join(hlsDir, name)));
      }
    } finally {
      await out.close();
    }
    await runFfmpeg(
      ffmpeg()
        .input(fragments, { profile: createInputProfile({ formats: ['mov', 'mp4'] }) })
        .output(mp4Path, {
          map: ['0:v:0', '0:a:0?'],
          videoCodec: 'copy',
          audioCodec: 'copy',
          movflags: ['+faststart'],
          format: 'mp4',
        }),
      { ...run },
    );
  } finally {
    await rm(fragments, { force: true });
  }
}
