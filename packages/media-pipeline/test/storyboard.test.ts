import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg } from '../src/builder.ts';
import { runPreset } from '../src/outputs.ts';
import { sprite } from '../src/presets/sprite.ts';
import { probe } from '../src/probe.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { planStoryboard } from '../src/storyboard-layout.ts';
import { makeClip, makeTempDir, type TempDir } from './fixtures.ts';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir('media-pipeline-storyboard-');
});
afterAll(async () => {
  await tmp.remove();
});

/** Decodes an image (or a frame of a video at `at` s) to 8-bit gray pixels, scaled to `w`×`h` when given. */
async function grayPixels(file: string, o: { at?: number; w?: number; h?: number } = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await runFfmpeg(
    ffmpeg()
      .input(file, o.at === undefined ? {} : { seek: o.at })
      .output('pipe:1', {
        videoFrames: 1,
        videoFilters:
          o.w && o.h
            ? [
                { name: 'scale', args: { w: o.w, h: o.h } },
                { name: 'format', args: { pix_fmts: 'gray' } },
              ]
            : [{ name: 'format', args: { pix_fmts: 'gray' } }],
        format: 'rawvideo',
      }),
    { stdout: sink },
  );
  return Buffer.concat(chunks);
}

interface Cue {
  start: number;
  end: number;
  image: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

function parseVtt(text: string): Cue[] {
  const seconds = (t: string): number => {
    const [h, m, s] = t.split(':').map(Number);
    return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  };
  return [...text.matchAll(/([\d:.]+) --> ([\d:.]+)\n([^#\n]+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)].map((m) => ({
    start: seconds(m[1] ?? ''),
    end: seconds(m[2] ?? ''),
    image: m[3] ?? '',
    x: Number(m[4]),
    y: Number(m[5]),
    w: Number(m[6]),
    h: Number(m[7]),
  }));
}

/** The pixels of one tile of a gray sheet `sheetWidth` wide. */
function tilePixels(sheet: Buffer, sheetWidth: number, c: Cue): number[] {
  const out: number[] = [];
  for (let y = c.y; y < c.y + c.h; y++)
    for (let x = c.x; x < c.x + c.w; x++) out.push(sheet[y * sheetWidth + x] ?? 0);
  return out;
}

function variance(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
}

function meanAbsDiff(a: number[], b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Runs the storyboard and checks: VTT covers the duration with contiguous cues, every tile has content. */
async function checkStoryboard(clip: string, dir: string) {
  const info = await probe(clip);
  const plan = await sprite({ input: clip, probe: info, outputDir: dir });
  const { outputs } = await runPreset(plan);
  const cues = parseVtt(await readFile(join(dir, 'storyboard.vtt'), 'utf8'));
  expect(cues).toHaveLength(plan.layout.tiles);
  expect(cues[0]?.start).toBe(0);
  for (let i = 1; i < cues.length; i++) expect(cues[i]?.start).toBeCloseTo(cues[i - 1]?.end ?? -1, 3);
  expect(cues.at(-1)?.end).toBeCloseTo(info.video?.durationSeconds ?? info.durationSeconds ?? 0, 1);
  const sheets = outputs.filter((o) => o.kind === 'sprite').map((o) => o.path);
  expect(sheets.map((p) => p.slice(dir.length + 1))).toEqual(
    Array.from({ length: plan.layout.sheets }, (_, s) => `storyboard-${s}.jpg`),
  );
  const sheetWidth = plan.layout.columns * plan.layout.thumbWidth;
  const pixels = new Map<string, Buffer>();
  for (const p of sheets) pixels.set(p.slice(dir.length + 1), await grayPixels(p));
  const tiles = cues.map((c) => {
    const sheet = pixels.get(c.image);
    if (!sheet) throw new Error(`cue names a sheet that was not written: ${c.image}`);
    return tilePixels(sheet, sheetWidth, c);
  });
  // testsrc2 frames are busy: a black or blank tile has (almost) no variance.
  for (const t of tiles) expect(variance(t)).toBeGreaterThan(100);
  return { plan, cues, tiles };
}

describe('planStoryboard', () => {
  it('one tile per 2 s for short clips, sheets of at most 100, every slot used', () => {
    expect(planStoryboard(10)).toMatchObject({
      tiles: 5,
      sheets: 1,
      columns: 5,
      rows: 1,
      intervalSeconds: 2,
    });
    expect(planStoryboard(600)).toMatchObject({ tiles: 300, sheets: 3, columns: 10, rows: 10 });
    // 13 wanted → one 10×2 sheet: the interval shrinks to fill it, never grows
    expect(planStoryboard(26)).toMatchObject({ tiles: 20, sheets: 1, intervalSeconds: 1.3 });
    const long = planStoryboard(4 * 3600);
    expect(long.tiles).toBeLessThanOrEqual(1000);
    expect(long.tilesPerSheet).toBeLessThanOrEqual(100);
    expect(long.tiles).toBe(long.sheets * long.tilesPerSheet);
  });
});

// Several ffmpeg runs per test: generous deadlines for a loaded machine.
describe('storyboard tiles', { timeout: 60_000 }, () => {
  it('a 10 s clip with an 8 s GOP: no empty tile, each tile is the frame of its own cue', async () => {
    // Prepare: keyframes at 0 s and 8 s only
    const clip = await makeClip(tmp.path, 'gop8', {
      seconds: 10,
      width: 320,
      height: 240,
      gop: 200,
      audio: false,
    });
    const dir = join(tmp.path, 'gop8');
    await mkdir(dir);
    // Act
    const { plan, cues, tiles } = await checkStoryboard(clip, dir);
    // Assess: keyframes cannot fill 2 s windows, so it decoded; each tile is closest to its own cue's frame
    expect(plan.strategy).toBe('decode');
    expect(cues).toHaveLength(5);
    const references = await Promise.all(cues.map((c) => grayPixels(clip, { at: c.start, w: c.w, h: c.h })));
    tiles.forEach((tile, i) => {
      const diffs = references.map((ref) => meanAbsDiff(tile, ref));
      expect(diffs.indexOf(Math.min(...diffs))).toBe(i);
    });
  });

  it('a 2 s GOP: keyframes only, no empty tile', async () => {
    const clip = await makeClip(tmp.path, 'gop2', {
      seconds: 10,
      width: 320,
      height: 240,
      gop: 50,
      audio: false,
    });
    const dir = join(tmp.path, 'gop2');
    await mkdir(dir);
    const { plan, cues } = await checkStoryboard(clip, dir);
    expect(plan.strategy).toBe('keyframes');
    expect(plan.builder.toArgs()).toEqual(expect.arrayContaining(['-skip_frame', 'nokey']));
    expect(cues).toHaveLength(5);
  });

  it('a long clip gets several sheets, all full, and the VTT lists every tile', async () => {
    const clip = await makeClip(tmp.path, 'long', {
      seconds: 300,
      width: 64,
      height: 48,
      rate: 5,
      gop: 50,
      audio: false,
    });
    const dir = join(tmp.path, 'long');
    await mkdir(dir);
    const { plan, cues } = await checkStoryboard(clip, dir);
    expect(plan.layout.sheets).toBe(2);
    expect(cues).toHaveLength(160);
    expect(new Set(cues.map((c) => c.image))).toEqual(new Set(['storyboard-0.jpg', 'storyboard-1.jpg']));
  });
});
