import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBinaries } from '../src/binaries.ts';
import { FfmpegAbortError } from '../src/errors.ts';
import { runPreset } from '../src/outputs.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../src/presets/hls-ladder.ts';
import { videoSet } from '../src/presets/video-set.ts';
import { probe } from '../src/probe.ts';
import type { FfmpegProgress } from '../src/progress.ts';
import type { SandboxMode } from '../src/sandbox/mode.ts';
import { makeClip, makeTempDir, type TempDir } from './fixtures.ts';

const require = createRequire(import.meta.url);
const bundled = {
  ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
  ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
};
const resolved = resolveBinaries();
/** The default binaries (Debian's 5.1 where installed) and the bundled 2018 build, when they differ. */
const builds: Array<{ name: string; ffmpeg: string; ffprobe: string; sandbox: SandboxMode }> = [
  { name: `default (${resolved.ffmpegBuild.build})`, ...resolved, sandbox: 'auto' },
  ...(resolved.ffmpeg === bundled.ffmpeg
    ? []
    : [{ name: 'bundled 2018', ...bundled, sandbox: 'auto' as const }]),
  { name: `default (${resolved.ffmpegBuild.build}), unsandboxed`, ...resolved, sandbox: 'off' },
];

const LADDER = [
  { height: 720, videoBitrate: 2_000_000 },
  { height: 360, videoBitrate: 800_000 },
  { height: 240, videoBitrate: 400_000 },
];

let tmp: TempDir;
let clip: string;

beforeAll(async () => {
  tmp = await makeTempDir('media-pipeline-video-set-');
  // 640x360: the 720p rung must be dropped (no upscaling).
  clip = await makeClip(tmp.path, 'clip', { width: 640, height: 360, seconds: 6 });
}, 60_000);
afterAll(async () => {
  await tmp.remove();
});

async function dirs(
  name: string,
): Promise<{ root: string; hls: string; mp4: string; poster: string; sprite: string }> {
  const root = join(tmp.path, name);
  const out = {
    root,
    hls: join(root, 'hls'),
    mp4: join(root, 'mp4'),
    poster: join(root, 'poster'),
    sprite: join(root, 'sprite'),
  };
  for (const d of [out.hls, out.mp4, out.poster, out.sprite]) await mkdir(d, { recursive: true });
  return out;
}

/** Top-level MP4 box types in file order. */
function topLevelBoxes(data: Buffer): string[] {
  const boxes: string[] = [];
  let at = 0;
  while (at + 8 <= data.length) {
    let size = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(data.readBigUInt64BE(at + 8));
    if (size === 0) size = data.length - at;
    boxes.push(type);
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

/** MD5 of every decoded video frame of a file. */
async function decodedMd5(ffmpegPath: string, file: string): Promise<string> {
  const r = await execa(ffmpegPath, ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'md5', '-']);
  return r.stdout.trim();
}

describe.each(builds)('videoSet with $name', { timeout: 180_000 }, (build) => {
  it('makes every output from one run: HLS rungs without upscaling, faststart MP4 = top rung, poster, storyboard', async () => {
    // Prepare
    const d = await dirs(`all-${builds.indexOf(build)}`);
    const info = await probe(clip, { ffprobePath: build.ffprobe });
    const plan = videoSet({
      input: clip,
      probe: info,
      hlsDir: d.hls,
      mp4Output: join(d.mp4, 'video.mp4'),
      posterOutput: join(d.poster, 'poster.jpg'),
      storyboardDir: d.sprite,
      ladder: LADDER,
      segmentSeconds: 2,
      remux: { ffmpegPath: build.ffmpeg, sandbox: build.sandbox },
    });
    const seen: FfmpegProgress[] = [];

    // Act
    const { outputs, run } = await runPreset(plan, {
      ffmpegPath: build.ffmpeg,
      sandbox: build.sandbox,
      onProgress: (p) => seen.push(p),
    });

    // Assess: one ffmpeg for everything (the remux is a stream copy after it)
    expect(run.argv.filter((a) => a === '-i')).toHaveLength(1);
    expect(run.isolation).toBe(build.sandbox === 'off' ? 'none' : run.isolation);
    // HLS: the 720p rung is dropped, the master lists 360p and 240p, every playlist is complete
    expect(plan.rungs.map((r) => r.name)).toEqual(['360p', '240p']);
    const master = parseMasterPlaylist(await readFile(join(d.hls, 'master.m3u8'), 'utf8'));
    expect(master.map((v) => [v.uri, v.attributes.RESOLUTION])).toEqual([
      ['360p.m3u8', '640x360'],
      ['240p.m3u8', '426x240'],
    ]);
    for (const rung of ['360p', '240p']) {
      const media = parseMediaPlaylist(await readFile(join(d.hls, `${rung}.m3u8`), 'utf8'));
      expect(media.ended).toBe(true);
      expect(media.map).toBe(`${rung}_init.mp4`);
      expect(media.segments.reduce((s, x) => s + x.duration, 0)).toBeGreaterThan(5.5);
    }
    // MP4: moov before mdat, the top rung's size, the source's duration, decodes without errors
    const mp4 = join(d.mp4, 'video.mp4');
    const boxes = topLevelBoxes(await readFile(mp4));
    expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(boxes).not.toContain('moof');
    const mp4Info = await probe(mp4, { ffprobePath: build.ffprobe });
    expect([mp4Info.video?.width, mp4Info.video?.height]).toEqual([640, 360]);
    expect(mp4Info.audio?.codec).toBe('aac');
    expect(mp4Info.durationSeconds).toBeGreaterThan(5.5);
    expect(mp4Info.durationSeconds).toBeLessThan(6.5);
    const decode = await execa(build.ffmpeg, ['-v', 'error', '-i', mp4, '-f', 'null', '-']);
    expect(decode.stderr).toBe('');
    // …and it is the top rung's encode, not a second one: the same decoded frames
    const media = parseMediaPlaylist(await readFile(join(d.hls, '360p.m3u8'), 'utf8'));
    const joined = join(d.root, 'top-rung.mp4');
    const parts = await Promise.all(
      [media.map ?? '', ...media.segments.map((s) => s.uri)].map((n) => readFile(join(d.hls, n))),
    );
    await writeFile(joined, Buffer.concat(parts));
    expect(await decodedMd5(build.ffmpeg, mp4)).toBe(await decodedMd5(build.ffmpeg, joined));
    // Poster: one JPEG, never wider than the source
    const posterInfo = await probe(join(d.poster, 'poster.jpg'), { ffprobePath: build.ffprobe });
    expect([posterInfo.video?.width, posterInfo.video?.height]).toEqual([640, 360]);
    // Storyboard: every sheet of the layout and a VTT naming them
    const layout = plan.storyboard;
    expect(layout).toBeDefined();
    const sheets = (await readdir(d.sprite)).filter((n) => n.endsWith('.jpg')).sort();
    expect(sheets).toEqual(Array.from({ length: layout?.sheets ?? 0 }, (_, i) => `storyboard-${i}.jpg`));
    const sheet = await probe(join(d.sprite, 'storyboard-0.jpg'), { ffprobePath: build.ffprobe });
    expect(sheet.video?.width).toBe((layout?.thumbWidth ?? 0) * (layout?.columns ?? 0));
    const vtt = await readFile(join(d.sprite, 'storyboard.vtt'), 'utf8');
    expect(vtt.match(/storyboard-0\.jpg#xywh=/g)).toHaveLength(layout?.tiles ?? -1);
    // Every returned file exists, kinds cover the set
    for (const f of outputs) expect(existsSync(f.path)).toBe(true);
    expect(new Set(outputs.map((f) => f.kind))).toEqual(
      new Set(['hls-master', 'hls-playlist', 'hls-init', 'hls-segment', 'poster', 'sprite', 'vtt', 'mp4']),
    );
    // Progress: never down, 100 % exactly once, last
    const percents = seen.map((p) => p.percent ?? 0);
    for (let i = 1; i < percents.length; i++)
      expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1] ?? 0);
    expect(seen.filter((p) => p.done)).toHaveLength(1);
    expect(seen.at(-1)?.done).toBe(true);
    expect(seen.at(-1)?.percent).toBe(100);
  });
});

describe('videoSet abort', { timeout: 120_000 }, () => {
  it('leaves nothing behind when aborted mid-run', async () => {
    // Prepare: a longer clip, so the run is still going when it is aborted
    const long = await makeClip(tmp.path, 'long', { width: 640, height: 360, seconds: 30 });
    const d = await dirs('aborted');
    const info = await probe(long);
    const controller = new AbortController();
    const plan = videoSet({
      input: long,
      probe: info,
      hlsDir: d.hls,
      mp4Output: join(d.mp4, 'video.mp4'),
      posterOutput: join(d.poster, 'poster.jpg'),
      storyboardDir: d.sprite,
      ladder: LADDER,
      segmentSeconds: 2,
    });

    // Act
    const err = await runPreset(plan, {
      signal: controller.signal,
      onProgress: (p) => {
        if ((p.outTimeSeconds ?? 0) > 3) controller.abort(new Error('user cancelled'));
      },
    }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(FfmpegAbortError);
    for (const dir of [d.hls, d.mp4, d.poster, d.sprite]) expect(await readdir(dir)).toEqual([]);
  });
});
