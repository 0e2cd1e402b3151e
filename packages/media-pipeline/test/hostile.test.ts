import { once } from 'node:events';
import { copyFile, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { createDeflate } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitInput } from '../src/admit-input.ts';
import { resolveBinaries } from '../src/binaries.ts';
import { ffmpeg } from '../src/builder.ts';
import { getCapabilities } from '../src/capabilities.ts';
import {
  FfmpegExitError,
  InputTruncatedError,
  isInputError,
  MediaPipelineError,
  MemoryLimitError,
  ProbeError,
  UnsupportedInputError,
} from '../src/errors.ts';
import { checkInputPolicy, DEFAULT_MAX_DURATION_SECONDS, type InputPolicy } from '../src/input-policy.ts';
import { createInputProfile, IMAGE_FORMATS, VIDEO_FORMATS } from '../src/input-profile.ts';
import { probe } from '../src/probe.ts';
import { ProcessTreeMemory } from '../src/process-tree-memory.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { defaultSandboxMode } from '../src/sandbox/mode.ts';
import { makeClip, makeImage, makeTempDir, type TempDir } from './fixtures.ts';
import { zlib } from './zlib-crc.ts';

/*
 * The hostile corpus is built here, by the test, from media it generates: no downloaded samples.
 * Each file goes through what the worker does (probe → policy), and also straight into ffmpeg with the
 * input profile (defence in depth: as if the probe had been skipped). Every path must end in a typed,
 * permanent ("input") error, within a deadline, under a memory cap, with no request to the network.
 */

let tmp: TempDir;
let server: Server;
let requests: string[] = [];
let base = '';
let clip = '';
const policy: InputPolicy = { maxDurationSeconds: 600 };
const MiB = 1024 * 1024;
/**
 * Peak memory (whole process tree) allowed on any hostile file. The bundled static binaries idle at
 * ~15–20 MB; a shared-library build (Debian's, via FFMPEG_PATH) maps 40–60 MB of libraries before
 * reading a byte, so there the 50 MB apply on top of what the binary takes to do nothing.
 */
const HOSTILE_PEAK_CAP = 50 * MiB;
// The bundled static 2018 binaries (a system ffmpeg ≥ 5.1 is preferred when installed: its shared
// libraries make it idle higher, measured below).
const bundled =
  resolveBinaries().ffmpegBuild.build === 'bundled' && resolveBinaries().ffprobeBuild.build === 'bundled';
let idle = { probe: 0, run: 0 };
/** Peak memory of the process tree per hostile file and stage, for the README table. */
const peaks = new Map<string, number>();

/**
 * ffprobe and ffmpeg run through wrappers that record each process's exact peak RSS as the kernel
 * accounts it (`/usr/bin/time -f %M`: wait4's ru_maxrss, which also covers the processes it waited
 * for), so even a 10 ms ffprobe is measured. A crash signal is passed on, so crash handling still works.
 */
const measuring = { ffprobe: '', ffmpeg: '', log: '' };

async function writeMeasuringWrapper(path: string, real: string): Promise<void> {
  await writeFile(
    path,
    `#!/bin/sh\n/usr/bin/time -f '%M' -a -o '${measuring.log}' '${real}' "$@"\nrc=$?\n` +
      'if [ $rc -gt 128 ]; then kill -$((rc - 128)) $$; fi\nexit $rc\n',
    { mode: 0o755 },
  );
}

/**
 * Runs `fn` and records the peak memory of what it started: the larger of the biggest single process
 * (from the wrappers) and the sampled sum over the whole process tree (see ProcessTreeMemory).
 */
async function measured<T>(label: string, fn: () => Promise<T>): Promise<T> {
  await writeFile(measuring.log, '');
  const tree = new ProcessTreeMemory(process.pid, { includeRoot: false, intervalMs: 10 });
  try {
    return await fn();
  } finally {
    tree.stop();
    const kib = (await readFile(measuring.log, 'utf8'))
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    const peak = Math.max(0, ...kib.map((k) => k * 1024), tree.peakBytes ?? 0);
    peaks.set(label, Math.max(peaks.get(label) ?? 0, peak));
  }
}

/** The measuring wrappers, as probe options. */
function binaries(): { ffprobePath: string; ffmpegPath: string } {
  return { ffprobePath: measuring.ffprobe, ffmpegPath: measuring.ffmpeg };
}

/**
 * The cap the runner and the probe enforce on the whole process tree (a run over it would end in a
 * MemoryLimitError, which `expectInputError` rejects): the same 50 MB, plus 8 MB for the measuring
 * wrappers (sh and time) that the tree sampling also counts.
 */
function memoryCap(stage: 'probe' | 'run'): number {
  return HOSTILE_PEAK_CAP + 8 * MiB + (bundled ? 0 : idle[stage]);
}

/**
 * The sandbox's launcher (two bwrap processes, a few MB of their own) is in the sampled tree too; the
 * runner's and the probe's own watch start below it, at the binary.
 */
const LAUNCHER_ALLOWANCE = defaultSandboxMode() === 'off' ? 0 : 8 * MiB;

function expectPeakWithinCap(label: string, stage: 'probe' | 'run'): void {
  expect(peaks.get(label) ?? 0).toBeLessThanOrEqual(
    HOSTILE_PEAK_CAP + LAUNCHER_ALLOWANCE + (bundled ? 0 : idle[stage]),
  );
}

beforeAll(async () => {
  tmp = await makeTempDir('media-pipeline-hostile-');
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    res.end(Buffer.alloc(188 * 10, 0x47));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  clip = await makeClip(tmp.path, 'clip', { seconds: 2, width: 160, height: 120 });
  measuring.log = join(tmp.path, 'peaks.log');
  measuring.ffprobe = join(tmp.path, 'measured-ffprobe');
  measuring.ffmpeg = join(tmp.path, 'measured-ffmpeg');
  await writeMeasuringWrapper(measuring.ffprobe, resolveBinaries().ffprobe);
  await writeMeasuringWrapper(measuring.ffmpeg, resolveBinaries().ffmpeg);
  if (!bundled) {
    // What the binaries take to do (almost) nothing: a probe of a small clip, a 1 s real-time null run.
    await measured('idle probe', () => probe(clip, binaries()));
    await measured('idle run', () =>
      runFfmpeg(
        ffmpeg()
          .lavfiInput('nullsrc=size=16x16:rate=25', { duration: 1, realtime: true })
          .output('-', { format: 'null' }),
        { ffmpegPath: measuring.ffmpeg },
      ),
    );
    idle = { probe: peaks.get('idle probe') ?? 0, run: peaks.get('idle run') ?? 0 };
  }
}, 60_000);

afterAll(async () => {
  const table = [...peaks].map(
    ([label, bytes]) => `| ${label} | ${bytes > 0 ? `${(bytes / MiB).toFixed(1)} MB` : 'nothing run'} |`,
  );
  console.log(`peak memory per hostile file (process tree):\n${table.join('\n')}`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tmp.remove();
});

/** What the worker does: probe under the profile, then check the policy. Peak memory is recorded. */
async function admit(file: string): Promise<unknown> {
  const label = `${basename(file)} probe`;
  const result = await measured(label, async () => {
    try {
      const info = await probe(file, {
        timeoutMs: 10_000,
        maxMemoryBytes: memoryCap('probe'),
        ...binaries(),
      });
      return checkInputPolicy(info, policy);
    } catch (e) {
      return e;
    }
  });
  expectPeakWithinCap(label, 'probe');
  return result;
}

/** Straight into ffmpeg with the video input profile, skipping the probe. Peak memory is recorded. */
async function transcodeDirectly(
  file: string,
  out: string,
  formats: readonly string[] = VIDEO_FORMATS,
): Promise<unknown> {
  const cmd = ffmpeg()
    .input(file, { profile: createInputProfile({ formats, maxDurationSeconds: 600 }) })
    .output(out, { videoCodec: 'libx264', preset: 'ultrafast', maxFileSize: 50_000_000 });
  const label = `${basename(file)} run`;
  const result = await measured(label, async () => {
    try {
      return await runFfmpeg(cmd, {
        timeoutMs: 15_000,
        maxMemoryBytes: memoryCap('run'),
        ffmpegPath: measuring.ffmpeg,
      });
    } catch (e) {
      return e;
    }
  });
  expectPeakWithinCap(label, 'run');
  return result;
}

/** A real 8-bit grayscale PNG (every row a gradient), compressed row batch by row batch. */
async function writeGrayPng(path: string, width: number, height: number): Promise<void> {
  const row = Buffer.alloc(width + 1); // filter byte 0, then the pixels
  for (let x = 0; x < width; x++) row[x + 1] = x % 256;
  const batch = Buffer.concat(Array.from({ length: 64 }, () => row));
  const deflate = createDeflate({ level: 1 });
  const compressed: Buffer[] = [];
  deflate.on('data', (c: Buffer) => compressed.push(c));
  const ended = once(deflate, 'end');
  for (let y = 0; y < height; y += 64) {
    const rows = Math.min(64, height - y);
    if (!deflate.write(batch.subarray(0, rows * row.length))) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (gray), compression, filter and interlace 0
  await writeFile(
    path,
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', Buffer.concat(compressed)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

function expectInputError(err: unknown, type: new (...args: never[]) => MediaPipelineError): void {
  expect(err).toBeInstanceOf(type);
  expect(err).not.toBeInstanceOf(MemoryLimitError);
  expect(isInputError(err)).toBe(true);
}

describe('hostile corpus', { timeout: 60_000 }, () => {
  it('HLS playlist named .mp4 pointing at a loopback server: refused, 0 requests', async () => {
    requests = [];
    const file = join(tmp.path, 'hls.mp4');
    await writeFile(
      file,
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${base}/seg0.ts\n#EXTINF:2.0,\n${base}/seg1.ts\n#EXT-X-ENDLIST\n`,
    );
    expectInputError(await admit(file), ProbeError);
    expectInputError(await transcodeDirectly(file, join(tmp.path, 'hls-out.mp4')), FfmpegExitError);
    expect(requests).toEqual([]);
  });

  it('DASH manifest named .mp4 pointing at a loopback server: refused, 0 requests', async () => {
    requests = [];
    const file = join(tmp.path, 'dash.mp4');
    await writeFile(
      file,
      `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
 <Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" codecs="avc1.64001f" width="320" height="240">
  <BaseURL>${base}/video.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>
`,
    );
    const probed = await admit(file);
    expectInputError(probed, ProbeError);
    expect((probed as ProbeError).stderrTail.join('\n')).toMatch(/not on whitelist/);
    const direct = await transcodeDirectly(file, join(tmp.path, 'dash-out.mp4'));
    expectInputError(direct, FfmpegExitError);
    expect((direct as FfmpegExitError).stderrTail.join('\n')).toMatch(/not on whitelist/);
    expect(requests).toEqual([]);
  });

  it('the protocol whitelist alone would NOT have stopped the DASH fetch (why the format whitelist exists)', async () => {
    requests = [];
    const file = join(tmp.path, 'dash.mp4');
    const cmd = ffmpeg()
      .input(file, { options: { protocol_whitelist: 'file' } })
      .output(join(tmp.path, 'dash-unsafe.mkv'), { videoCodec: 'copy' });
    await runFfmpeg(cmd, { timeoutMs: 15_000, sandbox: 'off' }).catch(() => undefined);
    // Documents the bundled 2018 binary: its DASH demuxer ignores the protocol whitelist.
    if ((await getCapabilities()).year === 2018) expect(requests.length).toBeGreaterThan(0);
    // The sandbox (defence in depth) has no network: the same command sends nothing.
    requests = [];
    await runFfmpeg(cmd, { timeoutMs: 15_000, sandbox: 'required' }).catch(() => undefined);
    expect(requests).toEqual([]);
  });

  it('concat list naming /etc/passwd: refused', async () => {
    const file = join(tmp.path, 'concat.mp4');
    await writeFile(file, 'ffconcat version 1.0\nfile /etc/passwd\n');
    expectInputError(await admit(file), ProbeError);
    const direct = await transcodeDirectly(file, join(tmp.path, 'concat-out.mp4'));
    expectInputError(direct, FfmpegExitError);
    expect((direct as FfmpegExitError).stderrTail.join('\n')).not.toMatch(/root:/);
  });

  it('16000x16000 PNG pixel bomb: rejected by the policy before any decode', async () => {
    // A real 16x16 PNG whose IHDR is rewritten to claim 16000x16000 (CRC fixed): cheap to make,
    // and what a decoder sees first.
    const small = await makeImage(tmp.path, 'small', 16, 16);
    const png = await readFile(small);
    png.writeUInt32BE(16000, 16);
    png.writeUInt32BE(16000, 20);
    png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
    const file = join(tmp.path, 'bomb.png');
    await writeFile(file, png);
    const err = await admit(file);
    expectInputError(err, UnsupportedInputError);
    expect(['max-width', 'max-pixels', 'dimensions-unknown']).toContain((err as UnsupportedInputError).rule);
  });

  it('-max_pixels stops a decoder on a real frame over the cap', async () => {
    const file = await makeImage(tmp.path, 'big', 1200, 1000);
    const cmd = ffmpeg()
      .input(file, { profile: createInputProfile({ maxPixels: 1_000_000 }) })
      .output(join(tmp.path, 'big-out.jpg'), { videoFrames: 1, format: 'image2', options: { update: 1 } });
    const err = await runFfmpeg(cmd, { timeoutMs: 15_000 }).catch((e: unknown) => e);
    expectInputError(err, FfmpegExitError);
    expect((err as FfmpegExitError).stderrTail.join('\n')).toMatch(/max_pixels|Picture size/i);
  });

  it('file with 100 streams: refused by -max_streams, and by the policy when the probe cap is raised', async () => {
    const file = join(tmp.path, 'many.mkv');
    const maps = Array.from({ length: 100 }, () => '0:a');
    await runFfmpeg(
      ffmpeg().lavfiInput('sine=duration=0.2').output(file, { map: maps, audioCodec: 'pcm_s16le' }),
    );
    expectInputError(await admit(file), ProbeError);
    const info = await probe(file, { profile: createInputProfile({ maxStreams: 200 }) });
    expect(info.streams).toHaveLength(100);
    const err = (() => {
      try {
        return checkInputPolicy(info, policy);
      } catch (e) {
        return e;
      }
    })();
    expectInputError(err, UnsupportedInputError);
    expect((err as UnsupportedInputError).rule).toBe('max-streams');
    expectInputError(await transcodeDirectly(file, join(tmp.path, 'many-out.mkv')), FfmpegExitError);
  });

  it('an image named img%03d.jpg cannot make image2 read the sequence next to it', async () => {
    const png = await makeImage(tmp.path, 'seq-src', 32, 32);
    const dir = join(tmp.path, 'seq');
    await mkdir(dir);
    const jpg = join(dir, 'img001.jpg');
    await runFfmpeg(
      ffmpeg()
        .input(png)
        .output(jpg, { videoFrames: 1, format: 'image2', options: { update: 1 } }),
    );
    for (const n of ['img002.jpg', 'img003.jpg', 'img%03d.jpg']) await copyFile(jpg, join(dir, n));
    const upload = join(dir, 'img%03d.jpg');
    // Narrowed to image2 (what admitInput returns for a JPEG): -pattern_type none, exactly one frame read.
    const only = await runFfmpeg(
      ffmpeg()
        .input(upload, { profile: createInputProfile({ formats: ['image2'] }) })
        .output('-', { format: 'null' }),
    );
    expect(only.lastProgress?.frame).toBe(1);
    // Default whitelist: image2 is dropped for this name, so it cannot be used at all.
    const info = await probe(upload).catch((e: unknown) => e);
    if (!(info instanceof Error))
      expect((info as { format: { names: string[] } }).format.names).not.toContain('image2');
    else expectInputError(info, ProbeError);
  });

  it('truncated file: refused', async () => {
    const file = join(tmp.path, 'truncated.mp4');
    await copyFile(clip, file);
    await truncate(file, Math.floor((await stat(file)).size / 3));
    expectInputError(await admit(file), ProbeError);
    expectInputError(await transcodeDirectly(file, join(tmp.path, 'truncated-out.mp4')), FfmpegExitError);
  });

  it('zero-byte file: refused without running anything', async () => {
    const file = join(tmp.path, 'empty.mp4');
    await writeFile(file, '');
    expectInputError(await admit(file), ProbeError);
    expectInputError(await transcodeDirectly(file, join(tmp.path, 'empty-out.mp4')), FfmpegExitError);
  });

  it('text file named .mp4: refused', async () => {
    const file = join(tmp.path, 'text.mp4');
    await writeFile(file, 'this is not a video, just some text\n'.repeat(20));
    expectInputError(await admit(file), ProbeError);
    expectInputError(await transcodeDirectly(file, join(tmp.path, 'text-out.mp4')), FfmpegExitError);
  });

  it('timestamps that jump 10 hours forward (a frame-duplication bomb): rejected on duration', async () => {
    const file = join(tmp.path, 'jump.mkv');
    await runFfmpeg(
      ffmpeg()
        .lavfiInput('testsrc2=size=160x120:rate=10', { duration: 2 })
        .output(file, {
          videoFilters: [{ name: 'setpts', args: { expr: 'if(gte(N,10),PTS+36000/TB,PTS)' } }],
          videoCodec: 'mjpeg',
          options: { vsync: 'passthrough' },
        }),
    );
    const err = await admit(file);
    expectInputError(err, UnsupportedInputError);
    expect((err as UnsupportedInputError).rule).toBe('max-duration');
  });

  it('MPEG-TS whose timestamps go backwards: typed ProbeError on an ffprobe crash, else a bounded run', async () => {
    const ts = join(tmp.path, 'part.ts');
    await runFfmpeg(ffmpeg().input(clip).output(ts, { videoCodec: 'copy', noAudio: true, format: 'mpegts' }));
    const part = await readFile(ts);
    const file = join(tmp.path, 'backwards.ts');
    await writeFile(file, Buffer.concat([part, part]));
    // Without the fallback, a crashing ffprobe (the bundled one crashes on any MPEG-TS) is a typed error.
    const crashed = await probe(file, { crashFallback: false }).catch((e: unknown) => e);
    if (crashed instanceof Error) {
      expectInputError(crashed, ProbeError);
      if ((crashed as ProbeError).signal) expect((crashed as ProbeError).message).toMatch(/crashed/);
    }
    // With it (the default), the file is admitted or refused with a typed error, never a hang.
    const admitted = await admit(file);
    if (admitted instanceof Error) expect(admitted).toBeInstanceOf(MediaPipelineError);
    else expect(admitted).toBe('video');
    const direct = await transcodeDirectly(file, join(tmp.path, 'backwards-out.mp4'));
    // ffmpeg repairs the discontinuity: either a bounded successful run or a typed error, never a hang.
    if (direct instanceof Error) expect(direct).toBeInstanceOf(MediaPipelineError);
    else expect(direct).toMatchObject({ lastProgress: { done: true } });
  });

  it('truncated upload with its index at the front (+faststart): admitted, then the run fails INPUT_TRUNCATED', async () => {
    const full = join(tmp.path, 'faststart-full.mp4');
    await runFfmpeg(
      ffmpeg()
        .lavfiInput('testsrc2=size=160x120:rate=25', { duration: 10 })
        .output(full, {
          videoCodec: 'libx264',
          preset: 'ultrafast',
          pixelFormat: 'yuv420p',
          movflags: ['+faststart'],
          options: { g: 250 },
        }),
    );
    const bytes = await readFile(full);
    const file = join(tmp.path, 'faststart-half.mp4');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    // The index describes all 10 s: probe and policy cannot tell.
    expect(await admit(file)).toBe('video');
    const err = await transcodeDirectly(file, join(tmp.path, 'faststart-half-out.mp4'));
    expectInputError(err, InputTruncatedError);
    expect((err as InputTruncatedError).code).toBe('INPUT_TRUNCATED');
  });

  it('a real 16000x16000 PNG: refused before any frame is decoded, in little memory', async () => {
    const file = join(tmp.path, 'huge.png');
    await writeGrayPng(file, 16000, 16000);
    const err = await admit(file);
    expect(err).toBeInstanceOf(MediaPipelineError);
    expect(isInputError(err)).toBe(true);
    if (err instanceof UnsupportedInputError)
      expect(['max-width', 'max-pixels', 'dimensions-unknown']).toContain(err.rule);
    else expect(err).toBeInstanceOf(ProbeError);
    // Straight into the decoder with the image whitelist: -max_pixels refuses the frame.
    const direct = await transcodeDirectly(file, join(tmp.path, 'huge-out.mp4'), IMAGE_FORMATS);
    expectInputError(direct, FfmpegExitError);
  }, 60_000);

  describe('honest .m3u8 files (HLS is not an upload format)', () => {
    let segment = '';
    beforeAll(async () => {
      segment = join(tmp.path, 'seg.ts');
      await runFfmpeg(
        ffmpeg().input(clip).output(segment, { videoCodec: 'copy', noAudio: true, format: 'mpegts' }),
      );
    });

    const playlists: Record<string, (base: string) => string> = {
      'key.m3u8': (base) =>
        `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="${base}/key.bin"\n#EXTINF:2.0,\nseg.ts\n#EXT-X-ENDLIST\n`,
      'fileuri.m3u8': () =>
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
      'local.m3u8': () => '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg.ts\n#EXT-X-ENDLIST\n',
    };
    for (const [name, body] of Object.entries(playlists)) {
      it(`${name}: refused by the format whitelist, nothing fetched or read`, async () => {
        requests = [];
        const file = join(tmp.path, name);
        await writeFile(file, body(base));
        const probed = await admit(file);
        expectInputError(probed, ProbeError);
        const direct = await transcodeDirectly(file, join(tmp.path, `${name}-out.mp4`));
        expectInputError(direct, FfmpegExitError);
        expect((direct as FfmpegExitError).stderrTail.join('\n')).not.toMatch(/root:/);
        expect(requests).toEqual([]);
      });
    }
  });

  it('concat list over http: refused, 0 requests', async () => {
    requests = [];
    const file = join(tmp.path, 'concat-http.mp4');
    await writeFile(file, `ffconcat version 1.0\nfile ${base}/a.mp4\nfile ${base}/b.mp4\n`);
    expectInputError(await admit(file), ProbeError);
    expectInputError(await transcodeDirectly(file, join(tmp.path, 'concat-http-out.mp4')), FfmpegExitError);
    expect(requests).toEqual([]);
  });

  it('the default policy (no limits given) refuses a file lasting over 4 h, and caps ffmpeg with -t', async () => {
    const file = join(tmp.path, 'five-hours.mkv');
    await runFfmpeg(
      ffmpeg()
        .lavfiInput('testsrc2=size=160x120:rate=10', { duration: 2 })
        .output(file, {
          videoFilters: [{ name: 'setpts', args: { expr: 'if(gte(N,10),PTS+18000/TB,PTS)' } }],
          videoCodec: 'mjpeg',
          options: { vsync: 'passthrough' },
        }),
    );
    const info = await probe(file);
    expect(info.durationSeconds).toBeGreaterThan(DEFAULT_MAX_DURATION_SECONDS);
    const err = await measured('five-hours.mkv probe', () =>
      admitInput(file, binaries()).catch((e: unknown) => e),
    );
    expectPeakWithinCap('five-hours.mkv probe', 'probe');
    expectInputError(err, UnsupportedInputError);
    expect((err as UnsupportedInputError).rule).toBe('max-duration');
    expect((err as UnsupportedInputError).limit).toBe(DEFAULT_MAX_DURATION_SECONDS);
    // An admitted input's profile carries the default limit as -t.
    const ok = await admitInput(clip);
    expect(ok.profile.maxDurationSeconds).toBe(DEFAULT_MAX_DURATION_SECONDS);
  });
});
