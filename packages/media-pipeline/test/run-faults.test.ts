import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitInput } from '../src/admit-input.ts';
import { ffmpeg } from '../src/builder.ts';
import { FfmpegAbortError, InputTruncatedError, isInputError } from '../src/errors.ts';
import { DEFAULT_MAX_DURATION_SECONDS } from '../src/input-policy.ts';
import { createInputProfile } from '../src/input-profile.ts';
import { runPreset } from '../src/outputs.ts';
import { h264Mp4 } from '../src/presets/h264-mp4.ts';
import { hlsLadder } from '../src/presets/hls-ladder.ts';
import { probe } from '../src/probe.ts';
import type { FfmpegProgress } from '../src/progress.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { makeTempDir, type TempDir } from './fixtures.ts';

/*
 * Runs that must not be called done: an upload cut short whose index is at the front (+faststart), an
 * output that comes out shorter than its source, and a cancelled run.
 */

let tmp: TempDir;
let faststart: string;
let half: string;

beforeAll(async () => {
  tmp = await makeTempDir('media-pipeline-faults-');
  // 10 s, index at the front, one keyframe for the whole clip: cutting it leaves a valid-looking head.
  faststart = join(tmp.path, 'faststart.mp4');
  await runFfmpeg(
    ffmpeg()
      .lavfiInput('testsrc2=size=320x240:rate=25', { duration: 10 })
      .lavfiInput('sine=frequency=440', { duration: 10 })
      .output(faststart, {
        map: ['0:v', '1:a'],
        videoCodec: 'libx264',
        preset: 'ultrafast',
        pixelFormat: 'yuv420p',
        audioCodec: 'aac',
        movflags: ['+faststart'],
        options: { g: 250 },
      }),
  );
  half = join(tmp.path, 'half.mp4');
  const bytes = await readFile(faststart);
  await writeFile(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
}, 60_000);
afterAll(async () => {
  await tmp.remove();
});

/** Pids of live processes whose command line mentions `needle` (ffmpeg and anything wrapping it). */
async function pidsMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

describe('a truncated upload whose index is at the front', { timeout: 60_000 }, () => {
  it('probes as the full 10 s, so only the run can tell', async () => {
    const info = await probe(half);
    expect(info.durationSeconds).toBeGreaterThan(9.9);
  });

  it('runPreset fails with INPUT_TRUNCATED (permanent), leaves no output, never reports 100 %', async () => {
    // Prepare
    const { probe: info, profile } = await admitInput(half);
    const out = join(tmp.path, 'half-out.mp4');
    const seen: FfmpegProgress[] = [];
    // Act
    const err = await runPreset(
      h264Mp4({ input: half, probe: info, output: out, profile, preset: 'ultrafast' }),
      {
        onProgress: (p) => seen.push(p),
      },
    ).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(InputTruncatedError);
    expect((err as InputTruncatedError).code).toBe('INPUT_TRUNCATED');
    expect(isInputError(err)).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(seen.some((p) => p.done || p.percent === 100)).toBe(false);
  });

  it('the HLS ladder fails the same way, and removes every rung file', async () => {
    const dir = join(tmp.path, 'half-hls');
    await mkdir(dir);
    const { probe: info, profile } = await admitInput(half);
    const err = await runPreset(
      hlsLadder({
        input: half,
        probe: info,
        outputDir: dir,
        profile,
        ladder: [{ height: 240, videoBitrate: 400_000 }],
        preset: 'ultrafast',
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputTruncatedError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('with -xerror turned off it still fails: the stderr classification or the duration check catches it', async () => {
    const info = await probe(half);
    const out = join(tmp.path, 'half-noxerror.mp4');
    const plan = h264Mp4({ input: half, probe: info, output: out, preset: 'ultrafast' });
    const err = await runPreset({ ...plan, builder: plan.builder.globals({ exitOnError: false }) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputTruncatedError);
    expect(existsSync(out)).toBe(false);
  });
});

describe('output verification', { timeout: 60_000 }, () => {
  it('rejects an output shorter than the probed source, naming both durations', async () => {
    // A whole 5 s file presented with the probe of the 10 s one: ffmpeg sees nothing wrong.
    const five = join(tmp.path, 'five.mp4');
    await runFfmpeg(
      ffmpeg().input(faststart, { duration: 5 }).output(five, { videoCodec: 'copy', audioCodec: 'copy' }),
    );
    const out = join(tmp.path, 'five-out.mp4');
    const err = await runPreset(
      h264Mp4({ input: five, probe: await probe(faststart), output: out, preset: 'ultrafast' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputTruncatedError);
    const e = err as InputTruncatedError;
    expect(e.expectedSeconds).toBeCloseTo(10, 0);
    expect(e.actualSeconds).toBeGreaterThan(4.5);
    expect(e.actualSeconds).toBeLessThan(5.5);
    expect(e.output).toBe(out);
    expect(existsSync(out)).toBe(false);
  });

  it('respects the -t limit of the input profile (a capped output is not "short")', async () => {
    const out = join(tmp.path, 'capped.mp4');
    const plan = h264Mp4({
      input: faststart,
      probe: await probe(faststart),
      output: out,
      preset: 'ultrafast',
      profile: createInputProfile({ maxDurationSeconds: 3 }),
    });
    expect(plan.expectedDurationSeconds).toBe(3);
    const seen: FfmpegProgress[] = [];
    await runPreset(plan, { onProgress: (p) => seen.push(p) });
    expect((await probe(out)).durationSeconds).toBeCloseTo(3, 0);
    expect(seen.at(-1)).toMatchObject({ done: true, percent: 100 });
    expect(seen.filter((p) => p.done)).toHaveLength(1);
  });

  it('admitInput passes the default duration limit to ffmpeg as -t', async () => {
    const { profile } = await admitInput(faststart);
    expect(profile.maxDurationSeconds).toBe(DEFAULT_MAX_DURATION_SECONDS);
    const args = ffmpeg().input(faststart, { profile }).output(join(tmp.path, 'x.mp4')).toArgs();
    expect(args[args.indexOf('-i') - 1]).toBe(String(DEFAULT_MAX_DURATION_SECONDS));
    expect(args[args.indexOf('-i') - 2]).toBe('-t');
  });
});

describe('stopping a run whose output is discarded', { timeout: 60_000 }, () => {
  it('kills ffmpeg at once: process gone and output removed when the promise settles, no 100 %', async () => {
    // Prepare: a faststart MP4 being written: `q` would make ffmpeg rewrite it before leaving.
    const out = join(tmp.path, 'aborted-faststart.mp4');
    const controller = new AbortController();
    const seen: FfmpegProgress[] = [];
    let pids: number[] = [];
    const run = runFfmpeg(
      ffmpeg()
        .lavfiInput('testsrc2=size=320x240:rate=25', { realtime: true })
        .output(out, { videoCodec: 'libx264', preset: 'ultrafast', movflags: ['+faststart'] }),
      {
        signal: controller.signal,
        durationSeconds: 60,
        onProgress: (p) => {
          seen.push(p);
          if (p.frame && p.frame > 10 && pids.length === 0) {
            void pidsMentioning(out).then((found) => {
              pids = found;
              controller.abort(new Error('user cancelled'));
            });
          }
        },
      },
    );
    // Act
    const err = await run.catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(FfmpegAbortError);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(seen.some((p) => p.done || p.percent === 100)).toBe(false);
  });

  it('a timed-out run is gone too, with its output', async () => {
    const out = join(tmp.path, 'timed-out.mp4');
    const err = await runFfmpeg(
      ffmpeg()
        .lavfiInput('testsrc2=size=160x120:rate=25', { realtime: true })
        .output(out, { videoCodec: 'libx264', preset: 'ultrafast', movflags: ['+faststart'] }),
      { timeoutMs: 1500 },
    ).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('TIMEOUT');
    expect(await pidsMentioning(out)).toEqual([]);
    expect(await stat(out).catch(() => undefined)).toBeUndefined();
  });
});
