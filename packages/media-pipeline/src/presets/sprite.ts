import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { resolveBinaries } from '../binaries.ts';
import { ffmpeg } from '../builder.ts';
import { UnsupportedInputError } from '../errors.ts';
import { scale, select, tile } from '../filter-graph.ts';
import { createInputProfile, type InputProfile, inputProfileArgs } from '../input-profile.ts';
import { assertOutputsExist, type OutputFile, type PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS, megapixelSeconds } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';
import { planSpawn } from '../sandbox/spawn-plan.ts';
import { planStoryboard, type StoryboardLayout } from '../storyboard-layout.ts';

/**
 * How storyboard frames are found: `'keyframes'` decodes keyframes only (`-skip_frame nokey`), used when
 * every tile's time window holds a keyframe; `'decode'` decodes every reference frame
 * (`-skip_frame noref`: B-frames nothing refers to are skipped), used when keyframes are sparser than tiles.
 */
export type StoryboardStrategy = 'keyframes' | 'decode';

/** Options of {@link sprite}. `input`, `probe` and `outputDir` are required. */
export interface SpriteOptions {
  /** Input file (untrusted). */
  input: string;
  /** The input's probe (video stream, duration, display size). */
  probe: ProbeResult;
  /** Directory for `<name>-0.jpg`, `<name>-1.jpg`, … and `<name>.vtt` (must exist). */
  outputDir: string;
  /** Base file name. Default `'storyboard'`. */
  name?: string | undefined;
  /** Most columns in a sheet. Default 10. */
  columns?: number | undefined;
  /** Most tiles in a sheet. Default 100. */
  maxTilesPerSheet?: number | undefined;
  /** Most tiles in all (longer videos get a longer interval). Default 1000. */
  maxTiles?: number | undefined;
  /** Thumbnail width in pixels (height follows, even). Default 160. */
  thumbWidth?: number | undefined;
  /** Target seconds per tile (the layout may shorten it to fill every sheet). Default 2. */
  intervalSeconds?: number | undefined;
  /** Default `'auto'`: by the measured keyframe spacing (see {@link StoryboardStrategy}). */
  strategy?: StoryboardStrategy | 'auto' | undefined;
  /** Input profile. Default `createInputProfile()`; its `maxDurationSeconds` caps the covered duration. */
  profile?: InputProfile | undefined;
  /** ffprobe used to list keyframe times. Default: the resolved one. */
  ffprobePath?: string | undefined;
}

/** {@link PresetPlan} plus how the storyboard will be made. */
export interface StoryboardPlan extends PresetPlan {
  /** How the frames will be found (what `'auto'` chose). */
  strategy: StoryboardStrategy;
  /** Tiles, interval and sheets. */
  layout: StoryboardLayout;
}

/**
 * Storyboard: thumbnails every `interval` seconds (about 2 s; longer for videos over
 * `maxTiles × 2` s), tiled into JPEG sheets of at most 100 (`storyboard-0.jpg`, `storyboard-1.jpg`, …),
 * plus `storyboard.vtt` whose cues cover the whole duration and reference each tile by relative name
 * (`storyboard-0.jpg#xywh=x,y,w,h`). Every tile is a real frame from its own cue's time window (the first
 * frame decoded in it), whatever the source's keyframe spacing: the keyframe times are read from the
 * packets first (no decode) and pick the strategy. Every slot of every sheet is used.
 *
 * @throws UnsupportedInputError (`no-video-stream`, `duration-unknown`) when there is nothing to tile.
 * @example
 * ```ts
 * import { admitInput, runPreset, sprite } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const { probe, profile } = await admitInput(input);
 * const plan = await sprite({ input, probe, profile, outputDir: '/tmp/storyboard' });
 * const { outputs } = await runPreset(plan); // storyboard-0.jpg …, storyboard.vtt
 * ```
 */
export async function sprite(o: SpriteOptions): Promise<StoryboardPlan> {
  const dir = resolve(o.outputDir);
  const name = o.name ?? 'storyboard';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`invalid storyboard name: ${name}`);
  const v = o.probe.video;
  if (!v) throw new UnsupportedInputError('no-video-stream', 'a storyboard needs a video stream');
  const duration = v.durationSeconds ?? o.probe.durationSeconds;
  if (duration === undefined || !(duration > 0)) {
    throw new UnsupportedInputError('duration-unknown', 'a storyboard needs a video of known duration');
  }
  const profile = o.profile ?? createInputProfile();
  const thumbW = Math.max(2, (o.thumbWidth ?? 160) - ((o.thumbWidth ?? 160) % 2));
  const thumbH =
    v.displayWidth > 0
      ? Math.max(2, Math.round((thumbW * v.displayHeight) / (v.displayWidth * 2)) * 2)
      : thumbW;
  const layout = planStoryboard(Math.min(duration, profile.maxDurationSeconds ?? duration), {
    intervalSeconds: o.intervalSeconds,
    maxTiles: o.maxTiles,
    maxTilesPerSheet: o.maxTilesPerSheet,
    columns: o.columns,
    thumbWidth: thumbW,
    thumbHeight: thumbH,
  });

  let strategy: StoryboardStrategy = o.strategy === 'auto' || !o.strategy ? 'decode' : o.strategy;
  let keyframeCount = 0;
  if (o.strategy === 'auto' || !o.strategy) {
    const keyframes = await keyframeTimes(o.input, v.index, profile, o.ffprobePath).catch(() => undefined);
    keyframeCount = keyframes?.length ?? 0;
    if (keyframes && everyWindowHasKeyframe(keyframes, layout)) strategy = 'keyframes';
  }

  const I = layout.intervalSeconds;
  const pattern = join(dir, `${name}-%d.jpg`);
  const vttPath = join(dir, `${name}.vtt`);
  const builder = ffmpeg()
    .input(o.input, { profile, skipFrame: strategy === 'keyframes' ? 'nokey' : 'noref' })
    .output(pattern, {
      map: [`0:${v.index}`],
      videoFilters: [
        // The first frame decoded in each tile's window [i·I, (i+1)·I).
        select(`isnan(prev_selected_t)+gte(floor(max(t,0)/${I}),floor(max(prev_selected_t,0)/${I})+1)`),
        scale({ w: thumbW, h: thumbH }),
        tile(layout.columns, layout.rows),
      ],
      videoFrames: layout.sheets,
      noAudio: true,
      format: 'image2',
      options: { vsync: 'vfr', 'q:v': 4, start_number: 0 },
    })
    .cleanupOnFailure({ dir, prefix: `${name}-` })
    .cleanupOnFailure({ path: vttPath })
    .expectDuration(layout.durationSeconds);

  const outputs: OutputFile[] = [
    ...Array.from(
      { length: layout.sheets },
      (_, s): OutputFile => ({
        path: join(dir, `${name}-${s}.jpg`),
        kind: 'sprite',
        contentType: 'image/jpeg',
      }),
    ),
    { path: vttPath, kind: 'vtt', contentType: 'text/vtt' },
  ];
  const megapixels = (v.width * v.height) / 1e6;
  return {
    builder,
    outputs,
    strategy,
    layout,
    expectedDurationSeconds: undefined,
    // keyframes: each decoded keyframe costs about three frames; decode: every reference frame (about half)
    estimatedCost:
      strategy === 'keyframes'
        ? ((keyframeCount * 3) / (v.fps ?? 25)) * megapixels * COST_WEIGHTS.decode
        : megapixelSeconds(layout.durationSeconds, v.width, v.height) * COST_WEIGHTS.decode * 0.5,
    async finalize() {
      await assertOutputsExist(outputs.slice(0, -1));
      await writeFile(vttPath, storyboardVtt(layout, name));
      return outputs;
    },
  };
}

/** `true` when every tile window `[i·I, (i+1)·I)` holds a keyframe (times relative to the stream start). */
export function everyWindowHasKeyframe(keyframes: readonly number[], layout: StoryboardLayout): boolean {
  const covered = new Set(keyframes.map((t) => Math.floor(t / layout.intervalSeconds)));
  for (let i = 0; i < layout.tiles; i++) if (!covered.has(i)) return false;
  return true;
}

/** The WebVTT storyboard: one cue per tile, `<name>-<sheet>.jpg#xywh=x,y,w,h`, covering the duration. */
export function storyboardVtt(layout: StoryboardLayout, name: string): string {
  const cues: string[] = [];
  for (let i = 0; i < layout.tiles; i++) {
    const start = i * layout.intervalSeconds;
    const end = i === layout.tiles - 1 ? layout.durationSeconds : (i + 1) * layout.intervalSeconds;
    const sheet = Math.floor(i / layout.tilesPerSheet);
    const slot = i % layout.tilesPerSheet;
    const x = (slot % layout.columns) * layout.thumbWidth;
    const y = Math.floor(slot / layout.columns) * layout.thumbHeight;
    cues.push(
      `${vttTime(start)} --> ${vttTime(end)}\n${name}-${sheet}.jpg#xywh=${x},${y},${layout.thumbWidth},${layout.thumbHeight}`,
    );
  }
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

/**
 * Presentation times (seconds, sorted, relative to the stream's first packet) of a video stream's
 * keyframe packets, read without decoding.
 */
export async function keyframeTimes(
  input: string,
  streamIndex: number,
  profile: InputProfile,
  ffprobePath?: string | undefined,
): Promise<number[]> {
  const spawn = await planSpawn(
    ffprobePath ?? resolveBinaries().ffprobe,
    [
      '-v',
      'error',
      ...inputProfileArgs(profile, resolve(input)),
      '-select_streams',
      String(streamIndex),
      '-show_entries',
      'packet=pts_time,flags',
      '-of',
      'csv=p=0',
      `file:${resolve(input)}`,
    ],
    { paths: { read: [resolve(input)], write: [] } },
  );
  const r = await execa(spawn.command, spawn.args, {
    stdin: 'ignore',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: spawn.env,
    extendEnv: false,
  });
  const packets = String(r.stdout)
    .split('\n')
    .map((l) => l.split(','))
    .filter(([t]) => t !== undefined && t !== '' && t !== 'N/A')
    .map(([t, flags]) => ({ t: Number(t), key: flags?.includes('K') ?? false }))
    .filter((p) => Number.isFinite(p.t));
  const start = Math.min(...packets.map((p) => p.t));
  return packets
    .filter((p) => p.key)
    .map((p) => p.t - start)
    .sort((a, b) => a - b);
}

function vttTime(s: number): string {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}.${String(rest).padStart(3, '0')}`;
}
