import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg } from '../src/builder.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';

/** A temp directory and a function that removes it. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix = 'media-pipeline-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface ClipOptions {
  width?: number;
  height?: number;
  seconds?: number;
  rate?: number;
  audio?: boolean;
  /** Audio codec; `'aac'` by default. */
  audioCodec?: string;
  /** Keyframe interval in frames. Default: 1 per second. */
  gop?: number;
  /** Output container extension. Default `mp4`. */
  ext?: string;
}

/** Generates a small test clip with lavfi testsrc2 (+ sine), via the package's own builder. */
export async function makeClip(dir: string, name: string, o: ClipOptions = {}): Promise<string> {
  const w = o.width ?? 320;
  const h = o.height ?? 240;
  const s = o.seconds ?? 2;
  const rate = o.rate ?? 25;
  const path = join(dir, `${name}.${o.ext ?? 'mp4'}`);
  let b = ffmpeg().lavfiInput(`testsrc2=size=${w}x${h}:rate=${rate}`, { duration: s });
  if (o.audio ?? true) b = b.lavfiInput('sine=frequency=440:sample_rate=44100', { duration: s });
  b = b.output(path, {
    map: ['0:v', ...((o.audio ?? true) ? ['1:a'] : [])],
    videoCodec: 'libx264',
    preset: 'ultrafast',
    pixelFormat: 'yuv420p',
    ...((o.audio ?? true) ? { audioCodec: o.audioCodec ?? 'aac' } : {}),
    options: { g: o.gop ?? rate },
  });
  await runFfmpeg(b);
  return path;
}

/** Generates a still PNG of the given size. */
export async function makeImage(dir: string, name: string, width: number, height: number): Promise<string> {
  const path = join(dir, `${name}.png`);
  await runFfmpeg(
    ffmpeg()
      .lavfiInput(`testsrc2=size=${width}x${height}:rate=1`, { duration: 1 })
      .output(path, { videoFrames: 1, format: 'image2', options: { update: 1 } }),
  );
  return path;
}
