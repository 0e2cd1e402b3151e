import { existsSync } from 'node:fs';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExecutable, resolveBinaries } from '../src/binaries.ts';
import { ffmpeg } from '../src/builder.ts';
import {
  FfmpegAbortError,
  FfmpegExitError,
  FfmpegNotFoundError,
  FfmpegTimeoutError,
  isInputError,
  MediaPipelineError,
} from '../src/errors.ts';
import type { FfmpegProgress } from '../src/progress.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { makeTempDir, type TempDir } from './fixtures.ts';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

/** An endless real-time encode: it only stops when we stop it. */
function endless(out: string) {
  return ffmpeg()
    .lavfiInput('testsrc2=size=160x120:rate=25', { realtime: true })
    .output(out, { videoCodec: 'libx264', preset: 'ultrafast', format: 'matroska' });
}

describe('runFfmpeg', () => {
  it('reports progress with increasing percent, ending at 100', async () => {
    // Prepare
    const out = join(tmp.path, 'progress.mp4');
    const seen: FfmpegProgress[] = [];
    const cmd = ffmpeg()
      .lavfiInput('testsrc2=size=160x120:rate=25', { duration: 2, realtime: true })
      .output(out, { videoCodec: 'libx264', preset: 'ultrafast' });
    // Act
    const result = await runFfmpeg(cmd, { onProgress: (p) => seen.push(p) });
    // Assess
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const percents = seen.map((p) => p.percent ?? -1);
    for (let i = 1; i < percents.length; i++)
      expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1] ?? 0);
    expect(percents[0]).toBeLessThan(100);
    expect(seen.at(-1)).toMatchObject({ done: true, percent: 100 });
    expect(result.argv.slice(0, 3)).toEqual(['-progress', 'pipe:3', '-nostats']);
    expect((await stat(out)).size).toBeGreaterThan(0);
    expect(result.peakRssBytes).toBeGreaterThan(0);
  });

  it('throws FfmpegExitError with exit code, stderr tail and argv, and removes partial outputs', async () => {
    const out = join(tmp.path, 'bad.mp4');
    await writeFile(out, 'stale');
    const cmd = ffmpeg()
      .lavfiInput('testsrc2', { duration: 1 })
      .output(out, { videoCodec: 'no_such_encoder' });
    const err = await runFfmpeg(cmd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegExitError);
    const e = err as FfmpegExitError;
    expect(e.code).toBe('FFMPEG_EXIT');
    expect(e.exitCode).not.toBe(0);
    expect(e.signal).toBeNull();
    expect(e.stderrTail.join('\n')).toMatch(/no_such_encoder/);
    expect(e.stderrTail.length).toBeLessThanOrEqual(50);
    expect(e.argv).toContain('no_such_encoder');
    expect(e.kind).toBe('runtime');
    expect(isInputError(e)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('aborts through the AbortSignal: output removed, FfmpegAbortError', async () => {
    const out = join(tmp.path, 'abort.mkv');
    const controller = new AbortController();
    const run = runFfmpeg(endless(out), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.frame && p.frame > 5) controller.abort(new Error('user cancelled'));
      },
    });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegAbortError);
    expect((err as FfmpegAbortError).code).toBe('ABORTED');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const err = await runFfmpeg(endless(join(tmp.path, 'never.mkv')), { signal: AbortSignal.abort() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FfmpegAbortError);
  });

  it('enforces timeoutMs and cleans up', async () => {
    const out = join(tmp.path, 'timeout.mkv');
    const err = await runFfmpeg(endless(out), { timeoutMs: 700 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegTimeoutError);
    expect((err as FfmpegTimeoutError).code).toBe('TIMEOUT');
    expect(existsSync(out)).toBe(false);
  });

  it('kills a stalled run (input that never delivers data, ffmpeg blocked in open())', async () => {
    // Prepare: a FIFO nobody writes to: ffmpeg blocks in open() and ignores q.
    const fifo = join(tmp.path, 'stall.fifo');
    await execa('mkfifo', [fifo]);
    const out = join(tmp.path, 'stall.mkv');
    const cmd = ffmpeg().input(fifo, { format: 'mpegts' }).output(out, { videoCodec: 'copy' });
    const started = Date.now();
    // Act
    const err = await runFfmpeg(cmd, { stallTimeoutMs: 500, killGraceMs: 300 }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(FfmpegTimeoutError);
    expect((err as FfmpegTimeoutError).code).toBe('STALLED');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('accepts a raw argv and adds -progress', async () => {
    const out = join(tmp.path, 'raw.mp4');
    const r = await runFfmpeg(
      [
        '-hide_banner',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=duration=1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        out,
      ],
      {
        durationSeconds: 1,
      },
    );
    expect(r.lastProgress?.done).toBe(true);
    expect(existsSync(out)).toBe(true);
  });

  it('keeps stdout free for media: an output to pipe:1 streams while progress still arrives', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const seen: FfmpegProgress[] = [];
    const cmd = ffmpeg()
      .lavfiInput('testsrc2=size=160x120:rate=25', { duration: 1 })
      .output('pipe:1', { videoCodec: 'libx264', preset: 'ultrafast', format: 'matroska' });
    await runFfmpeg(cmd, { stdout: sink, onProgress: (p) => seen.push(p) });
    const bytes = Buffer.concat(chunks);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // EBML magic of Matroska
    expect(seen.at(-1)?.done).toBe(true);
  });

  it('throws FfmpegNotFoundError for a missing binary', async () => {
    const err = await runFfmpeg(endless(join(tmp.path, 'x.mkv')), {
      ffmpegPath: join(tmp.path, 'nope'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect(err).toBeInstanceOf(MediaPipelineError);
  });
});

describe('binaries', () => {
  it('resolves the bundled ffmpeg and ffprobe as executables', async () => {
    const { ffmpeg: f, ffprobe: p } = resolveBinaries();
    expect(((await stat(f)).mode & 0o100) !== 0).toBe(true);
    expect(((await stat(p)).mode & 0o100) !== 0).toBe(true);
  });

  it('adds a missing run bit to a bundled binary, and refuses a non-executable override', async () => {
    const file = join(tmp.path, 'fake-bin');
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o644);
    expect(() => ensureExecutable('ffprobe', file, false)).toThrow(FfmpegNotFoundError);
    ensureExecutable('ffprobe', file, true);
    expect((await stat(file)).mode & 0o111).toBe(0o111);
  });

  it('honours FFMPEG_PATH / FFPROBE_PATH', () => {
    const env = { FFMPEG_PATH: join(tmp.path, 'missing-ffmpeg') };
    expect(() => resolveBinaries(env)).toThrow(/missing-ffmpeg/);
  });
});
