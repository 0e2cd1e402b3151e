import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { resolveBinaries } from './binaries.ts';
import { FfmpegAbortError, FfmpegNotFoundError, ProbeError } from './errors.ts';
import { createInputProfile, type InputProfile, inputProfileArgs } from './input-profile.ts';
import { normaliseProbe, type ProbeResult } from './probe-result.ts';
import { CRASH_SIGNALS, MemoryWatch } from './process-watch.ts';
import type { SandboxMode } from './sandbox/mode.ts';
import { planSpawn } from './sandbox/spawn-plan.ts';

/** Options of {@link probe}. Every field is optional. */
export interface ProbeOptions {
  /** Input profile for ffprobe (whitelists, probe size, stream cap). Default {@link createInputProfile}`()`. */
  profile?: InputProfile | undefined;
  /** Kill ffprobe after this many ms (a {@link ProbeError}). Default 30 000. */
  timeoutMs?: number | undefined;
  /** Aborts the probe: ffprobe is killed, the call rejects with {@link FfmpegAbortError}. Default: none. */
  signal?: AbortSignal | undefined;
  /** Kill ffprobe if its RSS passes this many bytes (Linux). Default 1 GiB. */
  maxMemoryBytes?: number | undefined;
  /** ffprobe binary. Default: {@link resolveBinaries}`().ffprobe`. */
  ffprobePath?: string | undefined;
  /**
   * When ffprobe crashes (a signal) on the file, stream-copy it with ffmpeg (same input profile) into a
   * temporary Matroska file and probe that instead; if that fails too, the crash's {@link ProbeError}
   * is thrown. The bundled 2023 ffprobe crashes on every MPEG-TS file, so this keeps TS uploads usable.
   * `false` throws the crash's ProbeError at once. Default `true`.
   */
  crashFallback?: boolean | undefined;
  /** ffmpeg binary for `crashFallback`. Default: {@link resolveBinaries}`().ffmpeg`. */
  ffmpegPath?: string | undefined;
  /** Sandbox mode. Default `defaultSandboxMode()` (`FFMPEG_SANDBOX`, else `auto`). */
  sandbox?: SandboxMode | undefined;
}

/**
 * Probes a local file with ffprobe under the input profile (file protocol only, demuxer whitelist,
 * bounded probe size and streams) and returns a normalised result.
 *
 * @throws ProbeError (`kind: 'input'`) for unreadable, empty, refused or crashing input;
 *   `kind: 'runtime'` when the file does not exist. FfmpegNotFoundError, FfmpegAbortError.
 * @example
 * ```ts
 * import { probe } from '@media-server/media-pipeline';
 *
 * const info = await probe('/tmp/in.mp4', { timeoutMs: 10_000 });
 * console.log(info.format.names, info.durationSeconds, info.video?.displayWidth, info.audio?.codec);
 * ```
 */
export async function probe(file: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const abs = resolve(file);
  const st = await stat(abs).catch((cause: unknown) => {
    throw new ProbeError(`cannot read ${abs}`, { file: abs }, { kind: 'runtime', cause });
  });
  if (!st.isFile()) throw new ProbeError(`${abs} is not a regular file`, { file: abs });
  if (st.size === 0) throw new ProbeError(`${abs} is empty`, { file: abs });

  const profile = options.profile ?? createInputProfile();
  const binary = options.ffprobePath ?? resolveBinaries().ffprobe;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const argv = [
    '-hide_banner',
    '-v',
    'error',
    ...inputProfileArgs(profile, abs),
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    '-i',
    `file:${abs}`,
  ];
  const spawn = await planSpawn(binary, argv, { mode: options.sandbox, paths: { read: [abs], write: [] } });
  const child = execa(spawn.command, spawn.args, {
    stdin: 'ignore',
    reject: false,
    timeout: timeoutMs,
    maxBuffer: 32 * 1024 * 1024,
    env: spawn.env,
    extendEnv: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  let memoryExceeded = false;
  const memory = new MemoryWatch(child.pid, options.maxMemoryBytes ?? 1024 ** 3, () => {
    memoryExceeded = true;
    child.kill('SIGKILL');
  });
  const result = await child.finally(() => memory.stop());
  const exit = spawn.exitOf(result);
  const stderrTail = String(result.stderr ?? '')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(-50);
  const details = { file: abs, exitCode: exit.exitCode ?? null, signal: exit.signal ?? null, stderrTail };

  if (result.isCanceled) throw new FfmpegAbortError('probe was aborted', { cause: options.signal?.reason });
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT' || code === 'EACCES') {
    throw new FfmpegNotFoundError(`cannot execute ffprobe at ${binary} (${code})`, binary, { cause: result });
  }
  if (memoryExceeded) throw new ProbeError(`ffprobe went over its memory limit on ${abs}`, details);
  if (result.timedOut) throw new ProbeError(`ffprobe timed out after ${timeoutMs} ms on ${abs}`, details);
  if (exit.signal && CRASH_SIGNALS.has(exit.signal)) {
    const crash = new ProbeError(`ffprobe crashed (${exit.signal}) on ${abs}`, details);
    if (options.crashFallback === false) throw crash;
    return probeViaRemux(abs, st.size, profile, options, crash);
  }
  if (exit.exitCode !== 0 || exit.signal) {
    const reason = stderrTail.at(-1) ?? `exit code ${exit.exitCode}`;
    throw new ProbeError(`ffprobe could not read ${abs}: ${reason}`, details);
  }
  let json: RawProbe;
  try {
    json = JSON.parse(String(result.stdout)) as RawProbe;
  } catch (cause) {
    throw new ProbeError(`ffprobe printed invalid JSON for ${abs}`, details, { cause });
  }
  if (!json.format) throw new ProbeError(`ffprobe found no container format in ${abs}`, details);
  return normaliseProbe(abs, json);
}

interface RawProbe {
  format?: Record<string, unknown>;
  streams?: Record<string, unknown>[];
}

async function probeViaRemux(
  abs: string,
  sizeBytes: number,
  profile: InputProfile,
  options: ProbeOptions,
  crash: ProbeError,
): Promise<ProbeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'media-pipeline-probe-'));
  try {
    const copy = join(dir, 'remux.mkv');
    const spawn = await planSpawn(
      options.ffmpegPath ?? resolveBinaries().ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'info',
        '-max_alloc',
        String(profile.maxAllocBytes),
        ...inputProfileArgs(profile, abs),
        '-i',
        `file:${abs}`,
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'matroska',
        copy,
      ],
      { mode: options.sandbox, paths: { read: [abs], write: [dir] } },
    );
    const r = await execa(spawn.command, spawn.args, {
      stdin: 'ignore',
      reject: false,
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 4 * 1024 * 1024,
      env: spawn.env,
      extendEnv: false,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    const demuxer = /^Input #0, (\S+), from /m.exec(String(r.stderr))?.[1];
    if (r.exitCode !== 0 || !demuxer) throw crash;
    const info = await probe(copy, { ...options, crashFallback: false });
    return {
      ...info,
      file: abs,
      probedVia: 'remux',
      format: { ...info.format, names: demuxer.split(','), sizeBytes },
    };
  } catch (err) {
    if (err instanceof FfmpegAbortError) throw err;
    throw crash;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
