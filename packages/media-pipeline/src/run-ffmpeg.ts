import { execa } from 'execa';
import { resolveBinaries } from './binaries.ts';
import type { CleanupTarget, FfmpegBuilder } from './builder.ts';
import { exitErrorFor } from './decode-errors.ts';
import {
  FfmpegAbortError,
  FfmpegNotFoundError,
  FfmpegTimeoutError,
  type MediaPipelineError,
  MemoryLimitError,
} from './errors.ts';
import { killTree, LineTail, MemoryWatch, removeTargets, waitGone } from './process-watch.ts';
import { type FfmpegProgress, finalProgress, ProgressParser } from './progress.ts';
import type { Isolation, SandboxMode } from './sandbox/mode.ts';
import { pathsOfArgv, pathsOfBuilder, type SandboxPaths } from './sandbox/paths.ts';
import { planSpawn } from './sandbox/spawn-plan.ts';

/** Options of {@link runFfmpeg} (and of `runPreset`). Every field is optional. */
export interface RunFfmpegOptions {
  /**
   * Aborts the run (SIGKILL at once: the outputs are deleted) and rejects with {@link FfmpegAbortError}.
   * Default: none.
   */
  signal?: AbortSignal | undefined;
  /** Wall-clock limit in ms; rejects with {@link FfmpegTimeoutError} `code: 'TIMEOUT'`. Default: none. */
  timeoutMs?: number | undefined;
  /**
   * Kills a run whose progress (output time, frames, bytes) has not moved for this many ms; rejects with
   * {@link FfmpegTimeoutError} `code: 'STALLED'`. Default: none.
   */
  stallTimeoutMs?: number | undefined;
  /**
   * Called for every `-progress` block (about twice a second) with a percent that never goes down and
   * stays below 100, then once with `done: true` and `percent: 100` after ffmpeg exited cleanly. A run
   * that is stopped or fails never reports `done` or 100. A listener that throws is ignored. Default: none.
   */
  onProgress?: ((progress: FfmpegProgress) => void) | undefined;
  /** Media duration for percent/ETA. Default: the builder's `expectedDurationSeconds`. */
  durationSeconds?: number | undefined;
  /**
   * Formerly the wait in ms between the steps of a stop (`q`, then SIGTERM, then SIGKILL).
   *
   * @deprecated Ignored. Every stop (abort, timeout, stall, memory) deletes the outputs, so ffmpeg is
   * killed at once (SIGKILL) instead of being asked to finish its files first.
   */
  killGraceMs?: number | undefined;
  /**
   * Kills the run when the peak RSS of ffmpeg and its children passes this many bytes (Linux, sampled every
   * 50 ms); rejects with {@link MemoryLimitError}. `-max_alloc` (from the input profile) caps any single
   * allocation inside ffmpeg on top of this. Default: none.
   */
  maxMemoryBytes?: number | undefined;
  /** More files to delete on failure (added to the builder's own outputs). Default: none. */
  cleanup?: readonly CleanupTarget[] | undefined;
  /** ffmpeg binary. Default: {@link resolveBinaries}`().ffmpeg`. */
  ffmpegPath?: string | undefined;
  /** Where an output written to `pipe:1` goes. Default: discarded. */
  stdout?: NodeJS.WritableStream | undefined;
  /** Working directory. Default: `process.cwd()` (sandboxed: the first output directory). */
  cwd?: string | undefined;
  /** Sandbox mode of this run. Default `defaultSandboxMode()` (`FFMPEG_SANDBOX`, else `auto`). */
  sandbox?: SandboxMode | undefined;
  /**
   * What the sandboxed run may read and write. Default: from the builder (file inputs read-only, output
   * directories read-write), or inferred from a raw argv (each absolute `-i` value read-only, the directory
   * of every other absolute path read-write).
   */
  sandboxPaths?: SandboxPaths | undefined;
}

/** What a successful run reports. */
export interface RunFfmpegResult {
  /** The argv ffmpeg ran with (binary not included). */
  argv: string[];
  /** Wall-clock duration in ms. */
  durationMs: number;
  /** The final progress block, when there was one. */
  lastProgress: FfmpegProgress | undefined;
  /** Last 50 stderr lines (warnings). */
  stderrTail: string[];
  /** Peak memory of ffmpeg and its child processes in bytes: sum of each one's VmHWM (Linux only). */
  peakRssBytes: number | undefined;
  /** How the run was isolated: `'bwrap'` or `'none'`. */
  isolation: Isolation;
}

/**
 * Runs ffmpeg asynchronously with `-progress pipe:3 -nostats` added (progress on a private fd 3, so
 * stdout stays free for an output written to `pipe:1`), reporting progress, honouring the
 * AbortSignal, timeout and stall detector, and deleting the outputs if the run fails.
 *
 * Stopping: an abort, timeout, stall or memory overrun SIGKILLs ffmpeg at once. The outputs are deleted
 * anyway, so there is nothing to gain from `q` (which made ffmpeg flush buffered frames and rewrite
 * the file for faststart first: 1–3 s). The promise settles only after the process is gone.
 *
 * A run that exits 0 but logged a truncated or damaged input still fails (`InputTruncatedError`,
 * `InputDecodeError`).
 *
 * @throws FfmpegExitError non-zero exit or crash (InputTruncatedError / InputDecodeError when stderr shows
 *   damaged input data); FfmpegAbortError; FfmpegTimeoutError; MemoryLimitError; FfmpegNotFoundError.
 * @example
 * ```ts
 * import { ffmpeg, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const result = await runFfmpeg(ffmpeg().input('/tmp/in.mp4').output('/tmp/out.mp4'), {
 *   signal: AbortSignal.timeout(60_000),
 *   stallTimeoutMs: 30_000,
 *   onProgress: (p) => console.log(p.percent, p.etaSeconds),
 * });
 * console.log(result.durationMs, result.isolation);
 * ```
 */
export async function runFfmpeg(
  command: FfmpegBuilder | readonly string[],
  options: RunFfmpegOptions = {},
): Promise<RunFfmpegResult> {
  const isArgv = Array.isArray(command);
  const builder = isArgv ? undefined : (command as FfmpegBuilder);
  const baseArgs = builder ? builder.toArgs() : [...(command as readonly string[])];
  // Progress goes to fd 3 (a pipe of ours), leaving stdout free for media written to `pipe:1`.
  const given = baseArgs.indexOf('-progress');
  const argv = given === -1 ? ['-progress', 'pipe:3', '-nostats', ...baseArgs] : baseArgs;
  const progressTarget = given === -1 ? 'pipe:3' : baseArgs[given + 1];
  const cleanup = [...(builder?.cleanupTargets ?? []), ...(options.cleanup ?? [])];
  const binary = options.ffmpegPath ?? resolveBinaries().ffmpeg;
  const durationSeconds = options.durationSeconds ?? builder?.expectedDurationSeconds;

  if (options.signal?.aborted)
    throw new FfmpegAbortError('ffmpeg run was aborted before it started', { cause: options.signal.reason });

  const spawn = await planSpawn(binary, argv, {
    mode: options.sandbox,
    paths: options.sandboxPaths ?? (builder ? pathsOfBuilder(builder) : pathsOfArgv(argv)),
    cwd: options.cwd,
  });
  const startedAt = Date.now();
  const child = execa(spawn.command, spawn.args, {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    cleanup: true,
    env: spawn.env,
    extendEnv: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  child.stdin?.on('error', () => {});

  const stderr = new LineTail(50);
  let lastProgress: FfmpegProgress | undefined;
  let lastMoveAt = startedAt;
  let lastSignature = '';
  let stopReason: MediaPipelineError | undefined;
  const timers: NodeJS.Timeout[] = [];

  let finalBlock: FfmpegProgress | undefined;

  // The outputs of a stopped run are deleted, so there is nothing for ffmpeg to finish: kill it now,
  // and everything under it: a sandboxed binary runs below its launcher and would otherwise outlive it
  // for a moment (it dies with its parent, asynchronously), still writing the files about to be removed.
  let killed: Promise<number[]> | undefined;
  const stop = (reason: MediaPipelineError): void => {
    if (stopReason) return;
    stopReason = reason;
    killed = killTree(child.pid);
  };

  const parser = new ProgressParser(
    durationSeconds,
    (p) => {
      if (stopReason) return;
      // `done` is reported only once the exit status is known to be clean.
      if (p.done) {
        finalBlock = p;
        return;
      }
      lastProgress = p;
      const signature = `${p.outTimeSeconds}|${p.frame}|${p.totalSizeBytes}`;
      if (signature !== lastSignature) {
        lastSignature = signature;
        lastMoveAt = Date.now();
      }
      try {
        options.onProgress?.(p);
      } catch {
        // a throwing listener must not break the run
      }
    },
    startedAt,
  );
  const progressStream =
    progressTarget === 'pipe:3' ? child.stdio[3] : progressTarget === 'pipe:1' ? child.stdout : undefined;
  progressStream?.setEncoding('utf8');
  progressStream?.on('data', (chunk: string) => parser.push(chunk));
  if (options.stdout && progressStream !== child.stdout) child.stdout?.pipe(options.stdout);
  else if (progressStream !== child.stdout) child.stdout?.resume();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => stderr.push(chunk));

  const onAbort = (): void => stop(new FfmpegAbortError(undefined, { cause: options.signal?.reason }));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.timeoutMs !== undefined) {
    const ms = options.timeoutMs;
    timers.push(setTimeout(() => stop(new FfmpegTimeoutError('TIMEOUT', ms)), ms));
  }
  if (options.stallTimeoutMs !== undefined) {
    const ms = options.stallTimeoutMs;
    const check = setInterval(
      () => {
        if (Date.now() - lastMoveAt >= ms) stop(new FfmpegTimeoutError('STALLED', ms));
      },
      Math.max(50, Math.min(1000, ms / 4)),
    );
    timers.push(check);
  }
  const memory = new MemoryWatch(child.pid, options.maxMemoryBytes, (peak) =>
    stop(new MemoryLimitError(options.maxMemoryBytes ?? 0, peak)),
  );

  let result: Awaited<typeof child>;
  try {
    result = await child;
  } finally {
    for (const t of timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    memory.stop();
    options.signal?.removeEventListener('abort', onAbort);
  }

  const tail = stderr.lines();
  if (stopReason) {
    await waitGone(await (killed ?? Promise.resolve([])));
    await removeTargets(cleanup);
    throw stopReason;
  }
  const spawnError = (result as { code?: string }).code;
  if (spawnError === 'ENOENT' || spawnError === 'EACCES') {
    throw new FfmpegNotFoundError(`cannot execute ffmpeg at ${binary} (${spawnError})`, binary, {
      cause: result,
    });
  }
  const exit = spawn.exitOf(result);
  const failure = exitErrorFor({
    exitCode: exit.exitCode ?? null,
    signal: exit.signal ?? null,
    stderrTail: tail,
    argv,
    binary,
  });
  if (failure) {
    await removeTargets(cleanup);
    throw failure;
  }
  lastProgress = finalProgress(finalBlock ?? lastProgress, durationSeconds, startedAt);
  try {
    options.onProgress?.(lastProgress);
  } catch {
    // a throwing listener must not break the run
  }
  return {
    argv,
    durationMs: Date.now() - startedAt,
    lastProgress,
    stderrTail: tail,
    peakRssBytes: memory.peakBytes,
    isolation: spawn.isolation,
  };
}
