import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitInput } from '../src/admit-input.ts';
import { ffmpeg } from '../src/builder.ts';
import { getCapabilities } from '../src/capabilities.ts';
import { ProbeError, UnsupportedInputError } from '../src/errors.ts';
import { checkInputPolicy, detectMediaKind } from '../src/input-policy.ts';
import { probe } from '../src/probe.ts';
import { normaliseProbe } from '../src/probe-result.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { makeClip, makeImage, makeTempDir, type TempDir } from './fixtures.ts';

let tmp: TempDir;
let clip: string;
beforeAll(async () => {
  tmp = await makeTempDir();
  clip = await makeClip(tmp.path, 'clip', { width: 320, height: 240, seconds: 2 });
});
afterAll(async () => {
  await tmp.remove();
});

describe('probe', () => {
  it('returns format, duration and normalised streams', async () => {
    const info = await probe(clip);
    expect(info.format.names).toContain('mp4');
    expect(info.durationSeconds).toBeGreaterThan(1.9);
    expect(info.durationSeconds).toBeLessThan(2.2);
    expect(info.video).toMatchObject({
      type: 'video',
      codec: 'h264',
      width: 320,
      height: 240,
      rotation: 0,
      fps: 25,
      pixelFormat: 'yuv420p',
    });
    expect(info.audio).toMatchObject({ type: 'audio', codec: 'aac', channels: 1, sampleRate: 44100 });
    expect(info.streams).toHaveLength(2);
    expect(detectMediaKind(info)).toBe('video');
  });

  it('reads rotation and swaps display dimensions', async () => {
    const rotated = join(tmp.path, 'rotated.mp4');
    await runFfmpeg(
      ffmpeg()
        .input(clip)
        .output(rotated, { videoCodec: 'copy', noAudio: true, options: { 'metadata:s:v:0': 'rotate=90' } }),
    );
    const info = await probe(rotated);
    // The 2018 muxer stores this tag as a 270° display matrix (its own `ffmpeg -i` says "rotate: 270").
    expect(info.video).toMatchObject({
      rotation: 270,
      width: 320,
      height: 240,
      displayWidth: 240,
      displayHeight: 320,
    });
  });

  it('tells audio-only and still images apart', async () => {
    const audio = join(tmp.path, 'tone.m4a');
    await runFfmpeg(
      ffmpeg().lavfiInput('sine=frequency=220', { duration: 1 }).output(audio, { audioCodec: 'aac' }),
    );
    const png = await makeImage(tmp.path, 'still', 64, 48);
    expect(detectMediaKind(await probe(audio))).toBe('audio');
    const img = await probe(png);
    expect(detectMediaKind(img)).toBe('image');
    expect(checkInputPolicy(img)).toBe('image');
  });

  it('normalises odd ffprobe fields instead of passing them through', () => {
    const info = normaliseProbe('/x', {
      format: { format_name: 'mov,mp4', duration: 'N/A', bit_rate: '' },
      streams: [
        {
          index: 0,
          codec_type: 'video',
          codec_name: 'h264',
          width: 1920,
          height: 1080,
          avg_frame_rate: '0/0',
          r_frame_rate: '30000/1001',
          side_data_list: [{ rotation: -90 }],
        },
        {
          index: 1,
          codec_type: 'audio',
          codec_name: 'opus',
          channels: 2,
          sample_rate: '48000',
          duration: '12.5',
        },
      ],
    });
    expect(info.format.durationSeconds).toBeUndefined();
    expect(info.durationSeconds).toBe(12.5);
    expect(info.video).toMatchObject({ fps: 29.97, rotation: 90, displayWidth: 1080, displayHeight: 1920 });
    expect(info.audio).toMatchObject({ sampleRate: 48000, channels: 2 });
  });

  it('turns an ffprobe crash into a ProbeError, or probes a stream copy when crashFallback is on', async () => {
    const ts = join(tmp.path, 'clip.ts');
    await runFfmpeg(
      ffmpeg().input(clip).output(ts, { videoCodec: 'copy', audioCodec: 'copy', format: 'mpegts' }),
    );
    const direct = await probe(ts, { crashFallback: false }).catch((e: unknown) => e);
    if (direct instanceof ProbeError) {
      // the bundled 2023 ffprobe segfaults on MPEG-TS
      expect(direct.signal).toBe('SIGSEGV');
      expect(direct.kind).toBe('input');
    }
    const info = await probe(ts);
    expect(info.format.names).toEqual(['mpegts']);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
    expect(info.audio?.codec).toBe('aac');
    expect(info.durationSeconds).toBeGreaterThan(1.8);
    expect(checkInputPolicy(info)).toBe('video');
    if (direct instanceof ProbeError) expect(info.probedVia).toBe('remux');
  });

  it('throws a runtime ProbeError for a missing file', async () => {
    const err = await probe(join(tmp.path, 'missing.mp4')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as ProbeError).kind).toBe('runtime');
  });
});

describe('checkInputPolicy', () => {
  it('names the rule that rejects an input', async () => {
    const info = await probe(clip);
    const rule = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedInputError);
        expect((e as UnsupportedInputError).permanent).toBe(true);
        return (e as UnsupportedInputError).rule;
      }
      return 'accepted';
    };
    expect(rule(() => checkInputPolicy(info))).toBe('accepted');
    expect(rule(() => checkInputPolicy(info, { maxDurationSeconds: 1 }))).toBe('max-duration');
    expect(rule(() => checkInputPolicy(info, { maxWidth: 160, maxHeight: 160 }))).toBe('max-width');
    expect(rule(() => checkInputPolicy(info, { maxPixels: 320 * 200 }))).toBe('max-pixels');
    expect(rule(() => checkInputPolicy(info, { maxStreams: 1 }))).toBe('max-streams');
    expect(rule(() => checkInputPolicy(info, { formats: { video: ['matroska'] } }))).toBe('format');
    expect(rule(() => checkInputPolicy(info, { kinds: ['audio'] }))).toBe('format');
  });
});

describe('getCapabilities', () => {
  it('reads version, encoders and the flags the bundled 2018 build has and lacks', async () => {
    const caps = await getCapabilities();
    expect(caps.version).not.toBe('unknown');
    expect(caps.encoders.has('libx264')).toBe(true);
    expect(caps.demuxers.has('mov')).toBe(true);
    expect(caps.filters.has('tile')).toBe(true);
    expect(caps.features).toMatchObject({
      formatWhitelist: true,
      protocolWhitelist: true,
      maxStreams: true,
      maxPixels: true,
      skipFrame: true,
      hlsFmp4: true,
    });
    if (caps.year === 2018) expect(caps.features.statsPeriod).toBe(false);
  }, 30_000); // seven ffmpeg runs at once: slow on a loaded machine
});

describe('admitInput', () => {
  it('returns probe, kind and a profile narrowed to the demuxer that read the file', async () => {
    const admitted = await admitInput(clip, { policy: { maxDurationSeconds: 60 } });
    expect(admitted.kind).toBe('video');
    expect(admitted.profile.formats).toEqual(['mov', 'mp4']);
    expect(admitted.profile.maxDurationSeconds).toBe(60);
    await expect(admitInput(clip, { policy: { maxDurationSeconds: 1 } })).rejects.toBeInstanceOf(
      UnsupportedInputError,
    );
  });
});
