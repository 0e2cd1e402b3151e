import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { resolveBinaries } from '../binaries.ts';
import { ffmpeg } from '../builder.ts';
import { scale, select, tile } from '../filter-graph.ts';
import { createInputProfile, type InputProfile, inputProfileArgs } from '../input-profile.ts';
import { assertOutputsExist, type OutputFile, type PresetPlan } from '../outputs.ts';
import type { ProbeResult } from '../probe-result.ts';

/** Options of {@link sprite}. */
export interface SpriteOptions {
  input: string;
  probe: ProbeResult;
  /** Directory for `<name>.jpg` and `<name>.vtt` (must exist). */
  outputDir: string;
  /** Base file name. Default `'sprite'`. */
  name?: string | undefined;
  /** Grid columns. Default 5. */
  columns?: number | undefined;
  /** Grid rows. Default 5. */
  rows?: number | undefined;
  /** Thumbnail width in pixels (height follows, even). Default 160. */
  thumbWidth?: number | undefined;
  /** Minimum seconds between thumbnails. Default: duration / (columns × rows), at least 1. */
  intervalSeconds?: number | undefined;
  profile?: InputProfile | undefined;
  /** ffprobe used by `finalize()` to list keyframe times. Default: the resolved one. */
  ffprobePath?: string | undefined;
}

/**
 * Thumbnail sprite sheet from keyframes only (`-skip_frame nokey`: non-key frames are never decoded),
 * one keyframe kept per `intervalSeconds`, laid out in a grid, plus a WebVTT storyboard mapping time
 * ranges to `sprite.jpg#xywh=…` tiles. `finalize()` reads keyframe times from the packets (no decode).
 */
export function sprite(o: SpriteOptions): PresetPlan {
  const dir = resolve(o.outputDir);
  const name = o.name ?? 'sprite';
  const columns = o.columns ?? 5;
  const rows = o.rows ?? 5;
  const tiles = columns * rows;
  const duration = o.probe.durationSeconds ?? 0;
  const interval = o.intervalSeconds ?? Math.max(1, duration / tiles);
  const v = o.probe.video;
  const thumbW = (o.thumbWidth ?? 160) - ((o.thumbWidth ?? 160) % 2);
  const thumbH =
    v && v.displayWidth > 0
      ? Math.max(2, Math.round((thumbW * v.displayHeight) / (v.displayWidth * 2)) * 2)
      : thumbW;
  const imagePath = join(dir, `${name}.jpg`);
  const vttPath = join(dir, `${name}.vtt`);
  const builder = ffmpeg()
    .input(o.input, { profile: o.profile ?? createInputProfile(), skipFrame: 'nokey' })
    .output(imagePath, {
      map: [`0:${v?.index ?? 'v:0'}`],
      videoFilters: [
        select(`isnan(prev_selected_t)+gte(t-prev_selected_t,${interval})`),
        scale({ w: thumbW, h: thumbH }),
        tile(columns, rows),
      ],
      videoFrames: 1,
      noAudio: true,
      format: 'image2',
      options: { vsync: 'vfr', 'q:v': 4, update: 1 },
    })
    .cleanupOnFailure({ path: vttPath })
    .expectDuration(o.probe.durationSeconds);
  const outputs: OutputFile[] = [
    { path: imagePath, kind: 'sprite', contentType: 'image/jpeg' },
    { path: vttPath, kind: 'vtt', contentType: 'text/vtt' },
  ];
  return {
    builder,
    outputs,
    expectedDurationSeconds: undefined,
    estimatedCost: 0,
    async finalize() {
      await assertOutputsExist(outputs.slice(0, 1));
      const keyframes = await keyframeTimes(
        o.input,
        v?.index ?? 0,
        o.profile ?? createInputProfile(),
        o.ffprobePath,
      );
      const picked: number[] = [];
      for (const t of keyframes) {
        const prev = picked.at(-1);
        if (prev === undefined || t - prev >= interval) picked.push(t);
        if (picked.length === tiles) break;
      }
      const end = duration > 0 ? duration : (picked.at(-1) ?? 0) + interval;
      const cues = picked.map((start, i) => {
        const stop = picked[i + 1] ?? end;
        const x = (i % columns) * thumbW;
        const y = Math.floor(i / columns) * thumbH;
        return `${vttTime(start)} --> ${vttTime(Math.max(stop, start + 0.001))}\n${name}.jpg#xywh=${x},${y},${thumbW},${thumbH}`;
      });
      await writeFile(vttPath, `WEBVTT\n\n${cues.join('\n\n')}\n`);
      return outputs;
    },
  };
}

/** Presentation times (seconds, sorted) of a video stream's keyframe packets, read without decoding. */
export async function keyframeTimes(
  input: string,
  streamIndex: number,
  profile: InputProfile,
  ffprobePath?: string | undefined,
): Promise<number[]> {
  const r = await execa(
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
    { stdin: 'ignore', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const times = String(r.stdout)
    .split('\n')
    .map((l) => l.split(','))
    .filter(([t, flags]) => t !== undefined && t !== 'N/A' && flags?.includes('K'))
    .map(([t]) => Number(t))
    .filter((t) => Number.isFinite(t));
  return times.sort((a, b) => a - b);
}

function vttTime(s: number): string {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}.${String(rest).padStart(3, '0')}`;
}
