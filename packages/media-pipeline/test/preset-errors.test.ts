import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOutputError, isInputError, UnsupportedInputError } from '../src/errors.ts';
import { runPreset } from '../src/outputs.ts';
import { audioOnly } from '../src/presets/audio-only.ts';
import { hlsLadder, parseMasterPlaylist, parseMediaPlaylist, planLadder } from '../src/presets/hls-ladder.ts';
import { poster } from '../src/presets/poster.ts';
import { sprite } from '../src/presets/sprite.ts';
import { videoSet } from '../src/presets/video-set.ts';
import { probe } from '../src/probe.ts';
import { normaliseProbe, type ProbeResult } from '../src/probe-result.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { makeClip, makeTempDir, type TempDir } from './fixtures.ts';

// Presets throw typed errors a worker can branch on: an input a preset cannot use is permanent
// (UnsupportedInputError), and a clean run that left a missing or broken output is INVALID_OUTPUT.

const audioFile: ProbeResult = normaliseProbe('/in/a.m4a', {
  format: { format_name: 'mov,mp4,m4a', duration: '2.0' },
  streams: [{ index: 0, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '44100' }],
});
const silentVideo: ProbeResult = normaliseProbe('/in/v.mp4', {
  format: { format_name: 'mov,mp4', duration: '2.0' },
  streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 320, height: 240 }],
});
const videoOfUnknownDuration: ProbeResult = normaliseProbe('/in/v.ts', {
  format: { format_name: 'mpegts' },
  streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 320, height: 240 }],
});
const videoOfUnknownSize: ProbeResult = normaliseProbe('/in/v.mp4', {
  format: { format_name: 'mov,mp4', duration: '2.0' },
  streams: [{ index: 0, codec_type: 'video', codec_name: 'h264' }],
});

/** Runs `act` and returns what it threw (fails the test when it throws nothing). */
async function thrown(act: () => unknown): Promise<unknown> {
  try {
    await act();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

function expectRule(err: unknown, rule: UnsupportedInputError['rule']): void {
  expect(err).toBeInstanceOf(UnsupportedInputError);
  expect(err).toMatchObject({ code: 'UNSUPPORTED_INPUT', rule, kind: 'input', permanent: true });
  expect(isInputError(err)).toBe(true);
}

describe('an input a preset cannot use', () => {
  it('no video stream: every video preset throws UnsupportedInputError("no-video-stream")', async () => {
    const o = { input: '/in/a.m4a', probe: audioFile };
    expectRule(await thrown(() => planLadder(audioFile)), 'no-video-stream');
    expectRule(await thrown(() => hlsLadder({ ...o, outputDir: '/out' })), 'no-video-stream');
    expectRule(await thrown(() => sprite({ ...o, outputDir: '/out' })), 'no-video-stream');
    expectRule(await thrown(() => videoSet({ ...o, hlsDir: '/out' })), 'no-video-stream');
  });

  it('no audio stream: audioOnly throws UnsupportedInputError("no-audio-stream")', async () => {
    const err = await thrown(() => audioOnly({ input: '/in/v.mp4', probe: silentVideo, outputDir: '/out' }));
    expectRule(err, 'no-audio-stream');
  });

  it('unknown duration or size: the storyboard and the ladder say which', async () => {
    const o = { input: '/in/v.ts', probe: videoOfUnknownDuration };
    expectRule(await thrown(() => sprite({ ...o, outputDir: '/out' })), 'duration-unknown');
    expectRule(
      await thrown(() => videoSet({ ...o, hlsDir: '/out', storyboardDir: '/out/sb' })),
      'duration-unknown',
    );
    expectRule(await thrown(() => planLadder(videoOfUnknownSize)), 'dimensions-unknown');
  });
});

describe('an output that is not what the run should have left', () => {
  let tmp: TempDir;
  let clip: string;

  beforeAll(async () => {
    tmp = await makeTempDir('media-pipeline-preset-errors-');
    clip = await makeClip(tmp.path, 'clip', { seconds: 1, audio: false });
  });
  afterAll(async () => {
    await tmp.remove();
  });

  it('a poster seek past the real end (the index promised 10 s): INVALID_OUTPUT, nothing left', async () => {
    const real = await probe(clip);
    const lying: ProbeResult = { ...real, durationSeconds: 10 };
    const output = join(tmp.path, 'poster.jpg');
    // ffmpeg exits 0 here ("Output file is empty, nothing was encoded").
    const err = await thrown(() => runPreset(poster({ input: clip, probe: lying, output, at: 5 })));
    expect(err).toBeInstanceOf(InvalidOutputError);
    expect(err).toMatchObject({ code: 'INVALID_OUTPUT', path: output, kind: 'input', permanent: true });
    expect(existsSync(output)).toBe(false);
  });

  it('a segment missing from an HLS rung: finalize() throws INVALID_OUTPUT naming it', async () => {
    const dir = join(tmp.path, 'hls');
    await mkdir(dir);
    const plan = hlsLadder({ input: clip, probe: await probe(clip), outputDir: dir, segmentSeconds: 0.4 });
    await runFfmpeg(plan.builder);
    const segment = join(dir, '240p_00000.m4s');
    await rm(segment);
    const err = await thrown(() => plan.finalize());
    expect(err).toBeInstanceOf(InvalidOutputError);
    expect(err).toMatchObject({ code: 'INVALID_OUTPUT', path: segment });
  });

  it('text that is not a playlist: the parsers throw INVALID_OUTPUT with the path given', () => {
    for (const parse of [parseMediaPlaylist, parseMasterPlaylist]) {
      let err: unknown;
      try {
        parse('<html>busy</html>', '/out/720p.m3u8');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidOutputError);
      expect(err).toMatchObject({ code: 'INVALID_OUTPUT', path: '/out/720p.m3u8' });
    }
  });
});
