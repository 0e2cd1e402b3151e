import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg } from '../src/builder.ts';
import { FfmpegExitError, MemoryLimitError, SandboxUnavailableError } from '../src/errors.ts';
import { probe } from '../src/probe.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { bwrapSandbox } from '../src/sandbox/bwrap.ts';
import type { SandboxMode } from '../src/sandbox/mode.ts';
import { pathsOfArgv, pathsOfBuilder } from '../src/sandbox/paths.ts';
import { planSpawn } from '../src/sandbox/spawn-plan.ts';
import { makeClip, makeTempDir, type TempDir } from './fixtures.ts';
import { commOf, descendants, findDescendant, isRunning, waitFor } from './process-tree.ts';

/*
 * Each escape is tried twice: with the sandbox off, where it works (so the test can fail), and with
 * `sandbox: 'required'`, where it must not. CI installs bubblewrap; without it 'required' throws and
 * these tests fail rather than pass vacuously.
 */

let job: TempDir;
let outside: TempDir;
let secret = '';
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  job = await makeTempDir('media-pipeline-sandbox-job-');
  outside = await makeTempDir('media-pipeline-sandbox-outside-');
  secret = await makeClip(outside.path, 'secret', { seconds: 1, width: 64, height: 48, audio: false });
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await job.remove();
  await outside.remove();
});

async function attempt(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    return error;
  }
}

function expectRefused(err: unknown, pattern: RegExp): void {
  expect(err).toBeInstanceOf(FfmpegExitError);
  expect((err as FfmpegExitError).stderrTail.join('\n')).toMatch(pattern);
}

describe('sandboxed ffmpeg: filesystem', () => {
  it('a lavfi movie= source naming a file outside the job dir cannot open it', async () => {
    const run = (mode: SandboxMode, name: string) =>
      attempt(() =>
        runFfmpeg(
          ffmpeg()
            .lavfiInput(`movie=filename=${secret}`)
            .output(join(job.path, name), { videoCodec: 'libx264', preset: 'ultrafast' }),
          { sandbox: mode, timeoutMs: 20_000 },
        ),
      );
    // Prepare / Act: unsandboxed the file is read (the test can fail) …
    const open = await run('off', 'leak-open.mkv');
    expect(open).toMatchObject({ isolation: 'none' });
    expect((await stat(join(job.path, 'leak-open.mkv'))).size).toBeGreaterThan(0);
    // … sandboxed it does not exist.
    expectRefused(await run('required', 'leak-sandboxed.mkv'), /No such file or directory/);
  });

  it('a concat list in the job dir naming a file outside it cannot open it', async () => {
    const list = join(job.path, 'list.ffconcat');
    await writeFile(list, `ffconcat version 1.0\nfile '${secret}'\n`);
    const run = (mode: SandboxMode, name: string) =>
      attempt(() =>
        runFfmpeg(
          ffmpeg()
            .input(list, { format: 'concat', options: { safe: 0 } })
            .output(join(job.path, name), { videoCodec: 'copy' }),
          { sandbox: mode, timeoutMs: 20_000 },
        ),
      );
    expect(await run('off', 'concat-open.mkv')).toMatchObject({ isolation: 'none' });
    expectRefused(await run('required', 'concat-sandboxed.mkv'), /No such file or directory/);
  });

  it("another process's /proc is invisible, the job's input is read-only", async () => {
    const cmdline = `/proc/${process.pid}/cmdline`;
    const readProc = (mode: SandboxMode) =>
      attempt(() =>
        runFfmpeg(
          ffmpeg()
            .input(cmdline, { format: 'rawvideo', options: { pixel_format: 'gray', video_size: '1x1' } })
            .output(join(job.path, `proc-${mode}.raw`), { format: 'rawvideo' }),
          { sandbox: mode, timeoutMs: 20_000, sandboxPaths: { read: [], write: [job.path] } },
        ),
      );
    expect(await readProc('off')).toMatchObject({ isolation: 'none' });
    expectRefused(await readProc('required'), /No such file or directory/);

    // The input is mounted read-only even though it sits inside the writable output directory.
    const input = join(job.path, 'input.mp4');
    await writeFile(input, await readFile(secret));
    const overwrite = await attempt(() =>
      runFfmpeg(
        ffmpeg().input(join(outside.path, 'secret.mp4')).output(input, { videoCodec: 'copy', format: 'mp4' }),
        {
          sandbox: 'required',
          timeoutMs: 20_000,
          sandboxPaths: { read: [join(outside.path, 'secret.mp4'), input], write: [job.path] },
        },
      ),
    );
    expectRefused(overwrite, /Read-only file system/);
  });
});

describe('sandboxed ffmpeg: network', () => {
  for (const scheme of ['tcp', 'http'] as const) {
    it(`a ${scheme}:// input to a loopback listener gets no connection, whitelist relaxed`, async () => {
      const argv = [
        '-hide_banner',
        '-protocol_whitelist',
        'tcp,http',
        '-i',
        `${scheme}://127.0.0.1:${port}/x.ts`,
        '-f',
        'null',
        '-',
      ];
      connections = 0;
      await attempt(() => runFfmpeg(argv, { sandbox: 'off', timeoutMs: 20_000 }));
      expect(connections).toBeGreaterThan(0);

      connections = 0;
      const err = await attempt(() => runFfmpeg(argv, { sandbox: 'required', timeoutMs: 20_000 }));
      expect(err).toBeInstanceOf(FfmpegExitError);
      expect(connections).toBe(0);
    });
  }
});

describe('sandboxed ffmpeg: environment and lifetime', () => {
  it('the process environment is empty but for PWD (no credentials reach ffmpeg)', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'sandbox-test-secret';
    try {
      const environOf = async (mode: SandboxMode): Promise<string> => {
        const stop = new AbortController();
        const run = attempt(() =>
          runFfmpeg(ffmpeg().lavfiInput('testsrc2=rate=5').output('-', { format: 'null' }), {
            sandbox: mode,
            signal: stop.signal,
            killGraceMs: 200,
          }),
        );
        const pid = await findDescendant('ffmpeg');
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
        stop.abort();
        await run;
        return environ;
      };
      const unsandboxed = await environOf('off');
      expect(unsandboxed).not.toContain('sandbox-test-secret');
      expect(unsandboxed.length).toBeGreaterThan(0);
      // bwrap itself sets PWD after its --chdir; nothing else is there.
      const sandboxed = (await environOf('required')).split('\0').filter(Boolean);
      expect(sandboxed).toEqual(['PWD=/']);
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  for (const mode of ['required', 'off'] as const) {
    it(`kill -9 of the parent leaves no ffmpeg behind (sandbox ${mode})`, async () => {
      // Prepare: a Node process running an endless transcode.
      const child = spawn(
        process.execPath,
        ['--conditions=@media-server/source', join(import.meta.dirname, 'run-endless.ts'), mode],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('running')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`run-endless exited early (${code})`)));
      });
      const tree = await descendants(child.pid ?? 0);
      const names = await Promise.all(tree.map((pid) => commOf(pid)));
      const ffmpegPids = tree.filter((_, i) => names[i] === 'ffmpeg');
      expect(ffmpegPids).toHaveLength(1);

      // Act
      child.kill('SIGKILL');

      // Assess: every process the parent started is gone within 1 s (the kernel kills them at its death).
      const gone = await waitFor(async () => {
        const alive = await Promise.all(tree.map((pid) => isRunning(pid)));
        return alive.every((a) => !a);
      }, 1000);
      expect(gone).toBe(true);
    });
  }
});

describe('sandbox modes and paths', () => {
  const unavailable = { ...bwrapSandbox, check: async () => ({ ok: false as const, reason: 'test host' }) };

  it('required refuses, auto falls back and says why, off does not ask', async () => {
    const bin = process.execPath;
    const required = await attempt(() =>
      planSpawn(bin, [], { mode: 'required', paths: { read: [], write: [] }, sandbox: unavailable }),
    );
    expect(required).toBeInstanceOf(SandboxUnavailableError);
    expect((required as SandboxUnavailableError).code).toBe('SANDBOX_UNAVAILABLE');
    const auto = await planSpawn(bin, [], {
      mode: 'auto',
      paths: { read: [], write: [] },
      sandbox: unavailable,
    });
    expect(auto).toMatchObject({ isolation: 'none', unsandboxedReason: 'test host' });
    const off = await planSpawn(bin, [], {
      mode: 'off',
      paths: { read: [], write: [] },
      sandbox: unavailable,
    });
    expect(off).toMatchObject({ isolation: 'none', unsandboxedReason: undefined });
  });

  it('derives read and write paths from a builder and from a raw argv', () => {
    const builder = ffmpeg()
      .input('/in/a.mp4')
      .lavfiInput('testsrc2')
      .output('/out/x/video.mp4')
      .output('/out/hls/%03d.m4s')
      .output('pipe:1', { format: 'null' });
    expect(pathsOfBuilder(builder)).toEqual({ read: ['/in/a.mp4'], write: ['/out/x', '/out/hls'] });
    expect(
      pathsOfArgv([
        '-i',
        'file:/in/a.mp4',
        '-f',
        'lavfi',
        '-i',
        'testsrc2',
        '-progress',
        '/p/log',
        '/o/b.mkv',
      ]),
    ).toEqual({
      read: ['/in/a.mp4'],
      write: ['/p', '/o'],
    });
  });

  it('watches the memory of the ffmpeg below bwrap, not of bwrap', async () => {
    // bwrap itself stays near 2 MiB; only the real ffmpeg's RSS passes 20 MiB (x264 on 1280x720).
    const err = await attempt(() =>
      runFfmpeg(
        ffmpeg()
          .lavfiInput('testsrc2=size=1280x720:rate=25')
          .output(join(job.path, 'memory.mkv'), { videoCodec: 'libx264', preset: 'ultrafast' }),
        { sandbox: 'required', maxMemoryBytes: 20 * 1024 * 1024, killGraceMs: 200, timeoutMs: 20_000 },
      ),
    );
    expect(err).toBeInstanceOf(MemoryLimitError);
    expect((err as MemoryLimitError).peakBytes).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('probes inside the sandbox', async () => {
    const info = await probe(secret, { sandbox: 'required' });
    expect(info.video).toMatchObject({ width: 64, height: 48 });
  });
});
