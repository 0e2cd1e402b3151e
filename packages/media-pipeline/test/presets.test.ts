import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg } from '../src/builder.ts';
import { getCapabilities } from '../src/capabilities.ts';
import { FfmpegAbortError } from '../src/errors.ts';
import { createInputProfile } from '../src/input-profile.ts';
import { runPreset } from '../src/outputs.ts';
import { audioOnly, type PeaksJson } from '../src/presets/audio-only.ts';
import { h264Mp4 } from '../src/presets/h264-mp4.ts';
import { hlsLadder, parseMasterPlaylist, parseMediaPlaylist, planLadder } from '../src/presets/hls-ladder.ts';
import { imageVariants } from '../src/presets/image-variants.ts';
import { poster } from '../src/presets/poster.ts';
import { sprite } from '../src/presets/sprite.ts';
import { probe } from '../src/probe.ts';
import type { ProbeResult } from '../src/probe-result.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { makeClip, makeImage, makeTempDir, type TempDir } from './fixtures.ts';

let tmp: TempDir;
let clip: string;
let info: ProbeResult;

beforeAll(async () => {
  tmp = await makeTempDir('media-pipeline-presets-');
  clip = await makeClip(tmp.path, 'clip', { width: 320, height: 240, seconds: 2 });
  info = await probe(clip);
});
afterAll(async () => {
  await tmp.remove();
});

async function freshDir(name: string): Promise<string> {
  const dir = join(tmp.path, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

describe('h264Mp4', () => {
  it('encodes H.264 with audio copied when MP4 can hold it, moov first (+faststart)', async () => {
    const out = join(tmp.path, 'h264.mp4');
    const plan = h264Mp4({ input: clip, probe: info, output: out, preset: 'ultrafast' });
    expect(plan.builder.toArgs()).toContain('copy');
    const percents: number[] = [];
    const { outputs } = await runPreset(plan, { onProgress: (p) => percents.push(p.percent ?? -1) });
    expect(outputs).toEqual([{ path: out, kind: 'mp4', contentType: 'video/mp4' }]);
    const res = await probe(out);
    expect(res.video).toMatchObject({ codec: 'h264', width: 320, height: 240, pixelFormat: 'yuv420p' });
    expect(res.audio?.codec).toBe('aac');
    expect(res.durationSeconds).toBeGreaterThan(1.9);
    const head = await readFile(out);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat'));
    expect(percents.at(-1)).toBe(100);
  });

  it('re-encodes audio MP4 cannot hold (Opus) to AAC', async () => {
    const mkv = await makeClip(tmp.path, 'opus', { seconds: 1, ext: 'mkv', audioCodec: 'libopus' });
    const src = await probe(mkv);
    expect(src.audio?.codec).toBe('opus');
    const out = join(tmp.path, 'from-opus.mp4');
    await runPreset(h264Mp4({ input: mkv, probe: src, output: out, preset: 'ultrafast' }));
    expect((await probe(out)).audio?.codec).toBe('aac');
  });

  it('snapshot of the argv', () => {
    const args = h264Mp4({ input: '/in/up load.mov', probe: info, output: '/out/a.mp4' }).builder.toArgs();
    expect(args.slice(args.indexOf('-i'))).toMatchInlineSnapshot(`
      [
        "-i",
        "file:/in/up load.mov",
        "-map",
        "0:0",
        "-map",
        "0:1",
        "-sn",
        "-dn",
        "-c:v",
        "libx264",
        "-preset",
        "medium",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "copy",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "/out/a.mp4",
      ]
    `);
  });
});

describe('estimatedCost', () => {
  it('follows duration × pixels × rungs, so a worker can weight presets', () => {
    const twice = { ...info, durationSeconds: (info.durationSeconds ?? 0) * 2 };
    const mp4 = h264Mp4({ input: clip, probe: info, output: '/o/a.mp4' });
    // 2 s of 320×240: decode (1) + x264 (4) per megapixel-second
    expect(mp4.estimatedCost).toBeCloseTo((info.durationSeconds ?? 0) * 0.0768 * 5, 2);
    expect(h264Mp4({ input: clip, probe: twice, output: '/o/a.mp4' }).estimatedCost).toBeCloseTo(
      mp4.estimatedCost * 2,
      5,
    );
    const oneRung = hlsLadder({
      input: clip,
      probe: info,
      outputDir: '/o',
      ladder: [{ height: 240, videoBitrate: 1 }],
    });
    const threeRungs = hlsLadder({
      input: clip,
      probe: info,
      outputDir: '/o',
      ladder: [240, 180, 120].map((height) => ({ height, videoBitrate: 1 })),
    });
    expect(threeRungs.estimatedCost).toBeGreaterThan(oneRung.estimatedCost);
    const still = poster({ input: clip, probe: info, output: '/o/p.jpg' });
    expect(still.estimatedCost).toBeGreaterThan(0);
    expect(still.estimatedCost).toBeLessThan(mp4.estimatedCost);
  });
});

describe('hlsLadder', () => {
  const ladder = [
    { height: 480, videoBitrate: 900_000 },
    { height: 240, videoBitrate: 400_000 },
    { height: 180, videoBitrate: 250_000 },
    { height: 120, videoBitrate: 150_000 },
  ];

  it('plans no rung taller than the source, and a single rung for a tiny source', () => {
    expect(planLadder(info, ladder).map((r) => `${r.width}x${r.height}`)).toEqual([
      '320x240',
      '240x180',
      '160x120',
    ]);
    const tiny = {
      ...info,
      video: info.video ? { ...info.video, displayWidth: 96, displayHeight: 64 } : undefined,
    };
    expect(planLadder(tiny, ladder).map((r) => r.height)).toEqual([64]);
  });

  it('builds ONE process with ONE decode: a single split feeding a scale per rung', () => {
    const args = hlsLadder({ input: clip, probe: info, outputDir: '/out', ladder }).builder.toArgs();
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args[args.indexOf('-filter_complex') + 1]).toMatchInlineSnapshot(
      `"[0:0]split=3[s240p][s180p][s120p];[s240p]scale=w=320:h=240[v240p];[s180p]scale=w=240:h=180[v180p];[s120p]scale=w=160:h=120[v120p]"`,
    );
    expect(args.filter((a) => a === 'hls')).toHaveLength(3);
  });

  it('fMP4: master lists every rung with BANDWIDTH/RESOLUTION/CODECS, media playlists list existing segments', async () => {
    const dir = await freshDir('hls-fmp4');
    const plan = hlsLadder({
      input: clip,
      probe: info,
      outputDir: dir,
      ladder,
      segmentSeconds: 1,
      preset: 'ultrafast',
    });
    const { outputs } = await runPreset(plan);
    const master = parseMasterPlaylist(await readFile(join(dir, 'master.m3u8'), 'utf8'));
    expect(master.map((v) => [v.uri, v.attributes.RESOLUTION])).toEqual([
      ['240p.m3u8', '320x240'],
      ['180p.m3u8', '240x180'],
      ['120p.m3u8', '160x120'],
    ]);
    for (const v of master) {
      expect(Number(v.attributes.BANDWIDTH)).toBeGreaterThan(0);
      expect(v.attributes.CODECS).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
      const media = parseMediaPlaylist(await readFile(join(dir, v.uri), 'utf8'));
      expect(media.ended).toBe(true);
      expect(media.segments.length).toBeGreaterThanOrEqual(2);
      for (const s of media.segments) expect(existsSync(join(dir, s.uri))).toBe(true);
      // init + first segment form a playable fragmented MP4: probe it.
      const joined = join(tmp.path, `joined-${v.uri}.mp4`);
      await writeFile(
        joined,
        Buffer.concat([
          await readFile(join(dir, media.map ?? '')),
          await readFile(join(dir, media.segments[0]?.uri ?? '')),
        ]),
      );
      const p = await probe(joined);
      expect(`${p.video?.width}x${p.video?.height}`).toBe(v.attributes.RESOLUTION);
      expect(p.video?.codec).toBe('h264');
      expect(p.audio?.codec).toBe('aac');
    }
    expect(outputs.filter((o) => o.kind === 'hls-segment').length).toBeGreaterThanOrEqual(6);
    expect(outputs.filter((o) => o.kind === 'hls-init')).toHaveLength(3);
    expect((await readdir(dir)).length).toBe(outputs.length);
  });

  it('starts with 1 s segments until the first segmentSeconds of media, the same boundaries in every rung', async () => {
    const dir = await freshDir('hls-start');
    const ten = await makeClip(tmp.path, 'ten', { seconds: 10, width: 320, height: 240, audio: false });
    const plan = hlsLadder({
      input: ten,
      probe: await probe(ten),
      outputDir: dir,
      ladder: ladder.slice(1, 3),
      preset: 'ultrafast',
    });
    await runPreset(plan);
    for (const rung of ['240p', '180p']) {
      const media = parseMediaPlaylist(await readFile(join(dir, `${rung}.m3u8`), 'utf8'));
      expect(media.segments.map((s) => Math.round(s.duration * 10) / 10)).toEqual([1, 1, 1, 1, 4, 2]);
    }
  });

  it('TS segments decode back through the hls demuxer', async () => {
    const dir = await freshDir('hls-ts');
    await runPreset(
      hlsLadder({
        input: clip,
        probe: info,
        outputDir: dir,
        ladder: ladder.slice(1, 2),
        segmentType: 'ts',
        segmentSeconds: 1,
        preset: 'ultrafast',
      }),
    );
    const media = parseMediaPlaylist(await readFile(join(dir, '240p.m3u8'), 'utf8'));
    expect(media.map).toBeUndefined();
    expect(media.segments.every((s) => s.uri.endsWith('.ts'))).toBe(true);
    const decoded = await runFfmpeg(
      ffmpeg()
        .input(join(dir, '240p.m3u8'), { profile: createInputProfile({ formats: ['hls', 'mpegts'] }) })
        .output('-', { format: 'null' }),
    );
    expect(decoded.lastProgress?.outTimeSeconds).toBeGreaterThan(1.5);
  });

  it('removes every rung file when the run is aborted', async () => {
    const dir = await freshDir('hls-abort');
    const long = await makeClip(tmp.path, 'long', { seconds: 20, width: 320, height: 240, audio: false });
    const controller = new AbortController();
    const plan = hlsLadder({
      input: long,
      probe: await probe(long),
      outputDir: dir,
      ladder,
      segmentSeconds: 1,
      // slow enough that the run is still going at the first progress block (about 0.5 s in)
      preset: 'veryslow',
    });
    const err = await runPreset(plan, {
      signal: controller.signal,
      onProgress: (p) => {
        if (!p.done) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegAbortError);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('poster, sprite, imageVariants, audioOnly', () => {
  it('poster: best-of-N frame, scaled, never wider than the source', async () => {
    const out = join(tmp.path, 'poster.jpg');
    await runPreset(poster({ input: clip, probe: info, output: out, bestOf: 10, width: 1280 }));
    const p = await probe(out);
    expect(p.video).toMatchObject({ codec: 'mjpeg', width: 320, height: 240 });
  });

  it('sprite: keyframe-only storyboard sheet plus a WebVTT listing each tile', async () => {
    const dir = await freshDir('sprite');
    const plan = await sprite({
      input: clip,
      probe: info,
      outputDir: dir,
      thumbWidth: 80,
      intervalSeconds: 1,
    });
    // the clip has a keyframe every second: each 1 s window holds one, so keyframes alone suffice
    expect(plan.strategy).toBe('keyframes');
    expect(plan.builder.toArgs()).toEqual(expect.arrayContaining(['-skip_frame', 'nokey']));
    const { outputs } = await runPreset(plan);
    expect(outputs.map((o) => o.kind)).toEqual(['sprite', 'vtt']);
    const img = await probe(join(dir, 'storyboard-0.jpg'));
    expect(img.video).toMatchObject({ width: 160, height: 60 });
    const vtt = await readFile(join(dir, 'storyboard.vtt'), 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toContain('00:00:00.000 --> 00:00:01.000\nstoryboard-0.jpg#xywh=0,0,80,60');
    expect(vtt).toContain('00:00:01.000 --> 00:00:02.000\nstoryboard-0.jpg#xywh=80,0,80,60');
  });

  it('imageVariants: one decode, several sizes/formats, AVIF skipped where the binary lacks it', async () => {
    const png = await makeImage(tmp.path, 'photo', 640, 480);
    const dir = await freshDir('variants');
    const caps = await getCapabilities();
    const plan = imageVariants({
      input: png,
      probe: await probe(png),
      outputDir: dir,
      capabilities: caps,
      variants: [
        { name: 'thumb', maxWidth: 100, format: 'jpeg' },
        { name: 'medium', maxWidth: 200, format: 'webp' },
        { name: 'large', maxWidth: 2000, format: 'png' },
        { name: 'modern', maxWidth: 200, format: 'avif' },
      ],
    });
    expect(plan.skipped.map((s) => s.variant.name)).toEqual(caps.features.avif ? [] : ['modern']);
    const { outputs } = await runPreset(plan);
    const dims = await Promise.all(outputs.map(async (o) => (await probe(o.path)).video));
    expect(dims.slice(0, 3).map((v) => `${v?.codec} ${v?.width}x${v?.height}`)).toEqual([
      'mjpeg 100x75',
      'webp 200x150',
      'png 640x480',
    ]);
  }, 60_000); // AVIF with libaom (Debian's ffmpeg) takes seconds

  it('audioOnly: AAC file plus a peaks JSON, intermediate PCM removed', async () => {
    const dir = await freshDir('audio');
    const { outputs } = await runPreset(
      audioOnly({ input: clip, probe: info, outputDir: dir, peaksPerSecond: 10 }),
    );
    expect(outputs.map((o) => o.kind)).toEqual(['audio', 'peaks']);
    const a = await probe(join(dir, 'audio.m4a'));
    expect(a.audio?.codec).toBe('aac');
    expect(a.video).toBeUndefined();
    const peaks = JSON.parse(await readFile(join(dir, 'audio.peaks.json'), 'utf8')) as PeaksJson;
    expect(peaks.length).toBeGreaterThanOrEqual(19);
    expect(peaks.data).toHaveLength(peaks.length * 2);
    expect(Math.max(...peaks.data)).toBeGreaterThan(1000);
    expect(Math.min(...peaks.data)).toBeLessThan(-1000);
    expect((await readdir(dir)).sort()).toEqual(['audio.m4a', 'audio.peaks.json']);
  });
});
