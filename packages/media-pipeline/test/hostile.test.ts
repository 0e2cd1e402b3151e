import { copyFile, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg } from '../src/builder.ts';
import { getCapabilities } from '../src/capabilities.ts';
import {
  FfmpegExitError,
  isInputError,
  MediaPipelineError,
  MemoryLimitError,
  ProbeError,
  UnsupportedInputError,
} from '../src/errors.ts';
import { checkInputPolicy, type InputPolicy } from '../src/input-policy.ts';
import { createInputProfile, VIDEO_FORMATS } from '../src/input-profile.ts';
import { probe } from '../src/probe.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
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
const MEMORY_CAP = 512 * 1024 * 1024;

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
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tmp.remove();
});

/** What the worker does: probe under the profile, then check the policy. */
async function admit(file: string): Promise<unknown> {
  try {
    const info = await probe(file, { timeoutMs: 10_000, maxMemoryBytes: MEMORY_CAP });
    return checkInputPolicy(info, policy);
  } catch (e) {
    return e;
  }
}

/** Straight into ffmpeg with the video input profile, skipping the probe. */
async function transcodeDirectly(file: string, out: string): Promise<unknown> {
  const cmd = ffmpeg()
    .input(file, { profile: createInputProfile({ formats: VIDEO_FORMATS, maxDurationSeconds: 600 }) })
    .output(out, { videoCodec: 'libx264', preset: 'ultrafast', maxFileSize: 50_000_000 });
  try {
    return await runFfmpeg(cmd, { timeoutMs: 15_000, maxMemoryBytes: MEMORY_CAP });
  } catch (e) {
    return e;
  }
}

function expectInputError(err: unknown, type: new (...args: never[]) => MediaPipelineError): void {
  expect(err).toBeInstanceOf(type);
  expect(err).not.toBeInstanceOf(MemoryLimitError);
  expect(isInputError(err)).toBe(true);
}

describe('hostile corpus', () => {
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
});
