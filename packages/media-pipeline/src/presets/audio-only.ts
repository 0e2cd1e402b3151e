import { open, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ffmpeg } from '../builder.ts';
import { UnsupportedInputError } from '../errors.ts';
import { createInputProfile, type InputProfile } from '../input-profile.ts';
import { assertOutputsExist, type OutputFile, type PresetPlan } from '../outputs.ts';
import { COST_WEIGHTS } from '../preset-cost.ts';
import type { ProbeResult } from '../probe-result.ts';
import { expectedOutputSeconds } from '../verify-outputs.ts';

/** Options of {@link audioOnly}. `input`, `probe` and `outputDir` are required. */
export interface AudioOnlyOptions {
  /** Input file (untrusted): audio, or a video whose first audio stream is extracted. */
  input: string;
  /** The input's probe (audio stream, duration). */
  probe: ProbeResult;
  /** Directory for `<name>.m4a` (or `.mp3`) and `<name>.peaks.json` (must exist). */
  outputDir: string;
  /** Base file name. Default `'audio'`. */
  name?: string | undefined;
  /** `'aac'` (→ `.m4a`, faststart) or `'mp3'`. Default `'aac'`. */
  codec?: 'aac' | 'mp3' | undefined;
  /** Bitrate. Default `'128k'`. */
  bitrate?: string | undefined;
  /** Waveform peaks: pairs (min, max) per second of audio. `0` disables. Default 10. */
  peaksPerSecond?: number | undefined;
  /** Cap on the number of peak pairs (longer audio gets coarser buckets). Default 2000. */
  maxPeaks?: number | undefined;
  /** Input profile. Default `createInputProfile()`. */
  profile?: InputProfile | undefined;
}

/** The peaks file `audioOnly` writes (audiowaveform's JSON format: interleaved min/max, 16-bit). */
export interface PeaksJson {
  /** Format version. */
  version: 2;
  /** Mono: the audio is downmixed first. */
  channels: 1;
  /** Sample rate the peaks were measured at (8000). */
  sample_rate: number;
  /** Samples per min/max pair. */
  samples_per_pixel: number;
  /** Sample resolution of `data`. */
  bits: 16;
  /** Number of min/max pairs. */
  length: number;
  /** `[min0, max0, min1, max1, …]`, each in −32768…32767. */
  data: number[];
}

const PEAK_RATE = 8000;

/**
 * Extracts the first audio stream to AAC (`.m4a`) or MP3 and, in the same process, a mono 8 kHz PCM
 * stream that `finalize()` turns into `<name>.peaks.json` (then deletes).
 *
 * @throws UnsupportedInputError (`no-audio-stream`) when the input has no audio.
 * @example
 * ```ts
 * import { admitInput, audioOnly, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/podcast.wav';
 * const { probe, profile } = await admitInput(input);
 * const plan = audioOnly({ input, probe, profile, outputDir: '/tmp/audio', codec: 'mp3', bitrate: '96k' });
 * const { outputs } = await runPreset(plan); // audio.mp3, audio.peaks.json
 * ```
 */
export function audioOnly(o: AudioOnlyOptions): PresetPlan {
  const dir = resolve(o.outputDir);
  const name = o.name ?? 'audio';
  const codec = o.codec ?? 'aac';
  const audio = o.probe.audio;
  if (!audio) throw new UnsupportedInputError('no-audio-stream', 'audioOnly needs an audio stream');
  const audioPath = join(dir, `${name}.${codec === 'aac' ? 'm4a' : 'mp3'}`);
  const rawPath = join(dir, `${name}.peaks.pcm`);
  const peaksPath = join(dir, `${name}.peaks.json`);
  const pps = o.peaksPerSecond ?? 10;
  let builder = ffmpeg()
    .input(o.input, { profile: o.profile ?? createInputProfile() })
    .output(audioPath, {
      map: [`0:${audio.index}`],
      noVideo: true,
      audioCodec: codec === 'aac' ? 'aac' : 'libmp3lame',
      audioBitrate: o.bitrate ?? '128k',
      ...(codec === 'aac' ? { movflags: ['+faststart'], format: 'ipod' } : { format: 'mp3' }),
    });
  if (pps > 0) {
    builder = builder
      .output(rawPath, {
        map: [`0:${audio.index}`],
        noVideo: true,
        audioCodec: 'pcm_s16le',
        audioChannels: 1,
        audioSampleRate: PEAK_RATE,
        format: 's16le',
      })
      .cleanupOnFailure({ path: peaksPath });
  }
  builder = builder.expectDuration(o.probe.durationSeconds);
  const outputs: OutputFile[] = [
    { path: audioPath, kind: 'audio', contentType: codec === 'aac' ? 'audio/mp4' : 'audio/mpeg' },
    ...(pps > 0 ? [{ path: peaksPath, kind: 'peaks' as const, contentType: 'application/json' }] : []),
  ];
  const expected = expectedOutputSeconds(audio.durationSeconds ?? o.probe.durationSeconds, builder);
  return {
    builder,
    outputs,
    expectedDurationSeconds: expected,
    // the container is demuxed whole (video packets are read and dropped, not decoded)
    estimatedCost: (expected ?? 0) * COST_WEIGHTS.encodeAudio * (pps > 0 ? 1.5 : 1),
    async finalize() {
      await assertOutputsExist([{ path: audioPath }, ...(pps > 0 ? [{ path: rawPath }] : [])]);
      if (pps > 0) {
        const duration = o.probe.durationSeconds ?? 0;
        const pairs = Math.max(1, Math.min(o.maxPeaks ?? 2000, Math.ceil(duration * pps)));
        const samplesPerPixel = Math.max(1, Math.ceil((duration * PEAK_RATE) / pairs));
        const peaks = await computePeaks(rawPath, samplesPerPixel);
        await writeFile(peaksPath, JSON.stringify(peaks));
        await rm(rawPath, { force: true });
      }
      return outputs;
    },
  };
}

/** Reads 16-bit little-endian mono PCM and returns min/max per `samplesPerPixel` samples. */
export async function computePeaks(pcmPath: string, samplesPerPixel: number): Promise<PeaksJson> {
  const data: number[] = [];
  const fh = await open(pcmPath, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    let min = 0;
    let max = 0;
    let count = 0;
    let carry: number | undefined;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      let i = 0;
      const samples: number[] = [];
      if (carry !== undefined) {
        samples.push(((((buf[0] ?? 0) << 8) | carry) << 16) >> 16);
        i = 1;
        carry = undefined;
      }
      for (; i + 1 < bytesRead; i += 2) samples.push(buf.readInt16LE(i));
      if (i < bytesRead) carry = buf[i];
      for (const s of samples) {
        if (count === 0) {
          min = s;
          max = s;
        } else {
          if (s < min) min = s;
          if (s > max) max = s;
        }
        count++;
        if (count === samplesPerPixel) {
          data.push(min, max);
          count = 0;
        }
      }
    }
    if (count > 0) data.push(min, max);
  } finally {
    await fh.close();
  }
  return {
    version: 2,
    channels: 1,
    sample_rate: PEAK_RATE,
    samples_per_pixel: samplesPerPixel,
    bits: 16,
    length: data.length / 2,
    data,
  };
}
