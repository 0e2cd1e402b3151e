/** Every `code` a {@link MediaPipelineError} can carry. */
export type MediaPipelineErrorCode =
  | 'FFMPEG_EXIT'
  | 'FFMPEG_NOT_FOUND'
  | 'PROBE_FAILED'
  | 'UNSUPPORTED_INPUT'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'STALLED'
  | 'CAPABILITY_MISSING'
  | 'MEMORY_LIMIT'
  | 'INPUT_TRUNCATED'
  | 'DECODE_ERROR'
  | 'SANDBOX_UNAVAILABLE'
  | 'INVALID_OUTPUT';

/**
 * Whether an error is the input's fault (`'input'`: bad, hostile or out-of-policy media: retrying will
 * never help, so a worker should fail the job permanently) or the environment's (`'runtime'`: missing
 * binary, timeout, abort, crash under load: worth a retry).
 */
export type MediaPipelineErrorKind = 'input' | 'runtime';

/** Options shared by every error of this package. */
export interface MediaPipelineErrorOptions extends ErrorOptions {
  /** Overrides the class's default {@link MediaPipelineErrorKind}. */
  kind?: MediaPipelineErrorKind | undefined;
}

/**
 * Base class of every error this package throws. Branch on `code`, or on `permanent` (`kind`) for retry
 * decisions. (Invalid arguments, a programming error, stay `TypeError` / `RangeError`.)
 *
 * @example
 * ```ts
 * import { MediaPipelineError, probe } from '@media-server/media-pipeline';
 *
 * try {
 *   await probe('/tmp/upload.bin');
 * } catch (err) {
 *   if (!(err instanceof MediaPipelineError)) throw err;
 *   console.error(err.permanent ? 'bad upload' : 'try again later', err.code, err.message);
 * }
 * ```
 */
export class MediaPipelineError extends Error {
  /** Machine-readable error code. */
  readonly code: MediaPipelineErrorCode;
  /** `'input'`: the media is bad or hostile (permanent); `'runtime'`: the run failed (retryable). */
  readonly kind: MediaPipelineErrorKind;

  constructor(
    code: MediaPipelineErrorCode,
    message: string,
    kind: MediaPipelineErrorKind,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MediaPipelineError';
    this.code = code;
    this.kind = kind;
  }

  /**
   * `true` when retrying with the same input cannot succeed (`kind === 'input'`). Queue consumers read this
   * property (queue-consumer's `isPermanentError`) to skip retries.
   */
  get permanent(): boolean {
    return this.kind === 'input';
  }
}

/** Details carried by {@link FfmpegExitError}. */
export interface FfmpegExitDetails {
  /** Process exit code, `null` when it was killed by a signal. */
  exitCode: number | null;
  /** Signal that ended the process (`'SIGSEGV'`, `'SIGKILL'`, …), `null` on a normal exit. */
  signal: string | null;
  /** Last lines (at most 50) of stderr. */
  stderrTail: string[];
  /** The full argv the binary ran with (binary not included). */
  argv: readonly string[];
  /** Path of the binary that ran. */
  binary: string;
}

/** Options of {@link FfmpegExitError} (its subclasses set `code` and `message`). */
export interface FfmpegExitErrorOptions extends MediaPipelineErrorOptions {
  /** Default `'FFMPEG_EXIT'`. */
  code?: 'FFMPEG_EXIT' | 'INPUT_TRUNCATED' | 'DECODE_ERROR' | undefined;
  /** Default: how ffmpeg ended plus the last stderr line. */
  message?: string | undefined;
}

/**
 * FFmpeg exited with a non-zero code or was killed by a signal it did not get from us.
 * `kind` is `'input'` when stderr shows the input was at fault (invalid data, whitelist refusal, limits),
 * `'runtime'` otherwise.
 *
 * @example
 * ```ts
 * import { FfmpegExitError, ffmpeg, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const err = await runFfmpeg(ffmpeg().input('/tmp/in.mp4').output('/tmp/out.mp4')).catch((e: unknown) => e);
 * if (err instanceof FfmpegExitError) console.error(err.exitCode ?? err.signal, err.stderrTail.join('\n'));
 * ```
 */
export class FfmpegExitError extends MediaPipelineError {
  /** Process exit code, `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** Signal that ended the process (`'SIGSEGV'`), `null` on a normal exit. */
  readonly signal: string | null;
  /** Last lines (at most 50) of stderr. */
  readonly stderrTail: string[];
  /** The argv the binary ran with (binary not included). */
  readonly argv: readonly string[];
  /** Path of the binary that ran. */
  readonly binary: string;

  constructor(details: FfmpegExitDetails, options?: FfmpegExitErrorOptions) {
    const how = details.signal ? `signal ${details.signal}` : `exit code ${details.exitCode}`;
    const last = details.stderrTail.at(-1) ?? '';
    super(
      options?.code ?? 'FFMPEG_EXIT',
      options?.message ?? `ffmpeg failed with ${how}${last ? `: ${last}` : ''}`,
      options?.kind ?? classifyStderr(details.stderrTail),
      options,
    );
    this.name = 'FfmpegExitError';
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
    this.argv = details.argv;
    this.binary = details.binary;
  }
}

/** What {@link InputTruncatedError} knows about the missing part. */
export interface TruncationDetails {
  /** The output that came out short, when the shortfall was measured (not seen in stderr). */
  output?: string | undefined;
  /** Seconds the output should have had (source duration, or the `-t` limit when smaller). */
  expectedSeconds?: number | undefined;
  /** Seconds the output has. */
  actualSeconds?: number | undefined;
}

/**
 * The input ends before its own index says it does (an upload cut short): ffmpeg hit the end of the
 * data ("partial file", "corrupt input packet"), or an output came out shorter than the probed source.
 * Always `kind: 'input'` (permanent). `exitCode` is 0 when ffmpeg itself reported success.
 *
 * @example
 * ```ts
 * import { InputTruncatedError, h264Mp4, probe, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const plan = h264Mp4({ input, probe: await probe(input), output: '/tmp/out.mp4' });
 * const err = await runPreset(plan).catch((e: unknown) => e);
 * if (err instanceof InputTruncatedError) console.error(err.output, err.actualSeconds, err.expectedSeconds);
 * ```
 */
export class InputTruncatedError extends FfmpegExitError {
  /** The output that came out short, when the shortfall was measured. */
  readonly output: string | undefined;
  /** Seconds the output should have had, when measured. */
  readonly expectedSeconds: number | undefined;
  /** Seconds the output has, when measured. */
  readonly actualSeconds: number | undefined;
  constructor(details: FfmpegExitDetails, truncation: TruncationDetails = {}, options?: ErrorOptions) {
    const measured =
      truncation.expectedSeconds !== undefined && truncation.actualSeconds !== undefined
        ? `: ${truncation.output ?? 'output'} lasts ${truncation.actualSeconds.toFixed(2)} s, the source ${truncation.expectedSeconds.toFixed(2)} s`
        : `: ${details.stderrTail.find((l) => TRUNCATION_PATTERNS.some((re) => re.test(l))) ?? 'data ends early'}`;
    super(details, {
      ...options,
      code: 'INPUT_TRUNCATED',
      kind: 'input',
      message: `input is truncated${measured}`,
    });
    this.name = 'InputTruncatedError';
    this.output = truncation.output;
    this.expectedSeconds = truncation.expectedSeconds;
    this.actualSeconds = truncation.actualSeconds;
  }
}

/**
 * A decoder reported damaged data (ffmpeg runs with `-xerror`, so the first decode error ends the run).
 * Always `kind: 'input'` (permanent).
 *
 * @example
 * ```ts
 * import { InputDecodeError, ffmpeg, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const err = await runFfmpeg(ffmpeg().input('/tmp/in.mp4').output('/tmp/out.mp4')).catch((e: unknown) => e);
 * if (err instanceof InputDecodeError) console.error('damaged upload:', err.message);
 * ```
 */
export class InputDecodeError extends FfmpegExitError {
  constructor(details: FfmpegExitDetails, options?: ErrorOptions) {
    const line = details.stderrTail.find((l) => DECODE_ERROR_PATTERNS.some((re) => re.test(l)));
    super(details, {
      ...options,
      code: 'DECODE_ERROR',
      kind: 'input',
      message: `input could not be decoded${line ? `: ${line}` : ''}`,
    });
    this.name = 'InputDecodeError';
  }
}

/** stderr lines that mean the data ends before the container says it does. */
export const TRUNCATION_PATTERNS: readonly RegExp[] = [
  /offset \S+: partial file/i,
  /Packet corrupt/i,
  /corrupt input packet/i,
  /File ended prematurely/i,
  /Truncating packet/i,
];

/** stderr lines of a decoder that met damaged data. */
export const DECODE_ERROR_PATTERNS: readonly RegExp[] = [
  /Error while decoding stream/i,
  /error while decoding MB/i,
  /Invalid NAL unit size/i,
  /concealing \d+ DC, \d+ AC, \d+ MV errors/i,
  /decode_slice_header error/i,
];

/**
 * The ffmpeg or ffprobe binary could not be found or cannot be executed. Always `kind: 'runtime'`.
 *
 * @example
 * ```ts
 * import { FfmpegNotFoundError, resolveBinaries } from '@media-server/media-pipeline';
 *
 * try {
 *   resolveBinaries();
 * } catch (err) {
 *   if (err instanceof FfmpegNotFoundError) console.error('install ffmpeg or set FFMPEG_PATH:', err.path);
 * }
 * ```
 */
export class FfmpegNotFoundError extends MediaPipelineError {
  /** The path that was tried, when there was one. */
  readonly path: string | undefined;
  constructor(message: string, path?: string | undefined, options?: ErrorOptions) {
    super('FFMPEG_NOT_FOUND', message, 'runtime', options);
    this.name = 'FfmpegNotFoundError';
    this.path = path;
  }
}

/**
 * ffprobe could not read the file: unreadable, truncated, not media, refused by the whitelists,
 * or ffprobe itself crashed on it (`signal` set). `kind: 'input'`, except `'runtime'` for a file that cannot
 * be read at all (missing).
 *
 * @example
 * ```ts
 * import { ProbeError, probe } from '@media-server/media-pipeline';
 *
 * const info = await probe('/tmp/upload.bin').catch((err: unknown) => {
 *   if (err instanceof ProbeError && err.permanent) return undefined; // not media we can read
 *   throw err;
 * });
 * ```
 */
export class ProbeError extends MediaPipelineError {
  /** Absolute path of the probed file. */
  readonly file: string;
  /** ffprobe's exit code, `null` when it did not exit normally (or never ran). */
  readonly exitCode: number | null;
  /** Signal that ended ffprobe (a crash: `'SIGSEGV'`), else `null`. */
  readonly signal: string | null;
  /** Last lines (at most 50) of ffprobe's stderr. */
  readonly stderrTail: string[];
  constructor(
    message: string,
    details: { file: string; exitCode?: number | null; signal?: string | null; stderrTail?: string[] },
    options?: MediaPipelineErrorOptions,
  ) {
    super('PROBE_FAILED', message, options?.kind ?? 'input', options);
    this.name = 'ProbeError';
    this.file = details.file;
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.stderrTail = details.stderrTail ?? [];
  }
}

/**
 * Why an input was refused ({@link UnsupportedInputError.rule}): a rule of the input policy (see
 * `checkInputPolicy`), or what a preset needs (`no-video-stream`, `no-audio-stream`, `duration-unknown`,
 * `dimensions-unknown`).
 */
export type InputRule =
  | 'format'
  | 'no-streams'
  | 'no-media-stream'
  | 'no-video-stream'
  | 'no-audio-stream'
  | 'max-streams'
  | 'max-duration'
  | 'max-width'
  | 'max-height'
  | 'max-pixels'
  | 'max-file-size'
  | 'duration-unknown'
  | 'dimensions-unknown';

/**
 * The input was readable but a policy rule rejected it, or a preset cannot use it (no video stream for a
 * ladder, no audio for `audioOnly`). Always `kind: 'input'`.
 *
 * @example
 * ```ts
 * import { admitInput, UnsupportedInputError } from '@media-server/media-pipeline';
 *
 * const policy = { maxDurationSeconds: 600 };
 * const err = await admitInput('/tmp/upload.mp4', { policy }).catch((e: unknown) => e);
 * if (err instanceof UnsupportedInputError && err.rule === 'max-duration') {
 *   console.error(`${err.actual} s is over the ${err.limit} s limit`);
 * }
 * ```
 */
export class UnsupportedInputError extends MediaPipelineError {
  /** The rule that rejected the input. */
  readonly rule: InputRule;
  /** The offending value, when it is a number or a name. */
  readonly actual: string | number | undefined;
  /** The limit it broke, when it is a number or a name. */
  readonly limit: string | number | undefined;
  constructor(
    rule: InputRule,
    message: string,
    details?: { actual?: string | number | undefined; limit?: string | number | undefined },
    options?: ErrorOptions,
  ) {
    super('UNSUPPORTED_INPUT', message, 'input', options);
    this.name = 'UnsupportedInputError';
    this.rule = rule;
    this.actual = details?.actual;
    this.limit = details?.limit;
  }
}

/**
 * The run (or probe) was cancelled through its AbortSignal. Always `kind: 'runtime'`; the signal's reason
 * is the `cause`.
 *
 * @example
 * ```ts
 * import { FfmpegAbortError, ffmpeg, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const controller = new AbortController();
 * const run = runFfmpeg(ffmpeg().input('/tmp/in.mp4').output('/tmp/out.mp4'), { signal: controller.signal });
 * controller.abort(new Error('job cancelled'));
 * await run.catch((err: unknown) => console.log(err instanceof FfmpegAbortError)); // true
 * ```
 */
export class FfmpegAbortError extends MediaPipelineError {
  constructor(message = 'ffmpeg run was aborted', options?: ErrorOptions) {
    super('ABORTED', message, 'runtime', options);
    this.name = 'FfmpegAbortError';
  }
}

/**
 * The run exceeded `timeoutMs` (`code: 'TIMEOUT'`) or made no progress for `stallTimeoutMs` (`'STALLED'`).
 * Always `kind: 'runtime'`.
 *
 * @example
 * ```ts
 * import { FfmpegTimeoutError, ffmpeg, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const cmd = ffmpeg().input('/tmp/in.mp4').output('/tmp/out.mp4');
 * const err = await runFfmpeg(cmd, { timeoutMs: 600_000, stallTimeoutMs: 30_000 }).catch((e: unknown) => e);
 * if (err instanceof FfmpegTimeoutError) console.error(err.code, err.timeoutMs); // 'STALLED' 30000
 * ```
 */
export class FfmpegTimeoutError extends MediaPipelineError {
  /** The limit that was reached, in ms. */
  readonly timeoutMs: number;
  constructor(code: 'TIMEOUT' | 'STALLED', timeoutMs: number, options?: ErrorOptions) {
    super(
      code,
      code === 'TIMEOUT'
        ? `ffmpeg run exceeded ${timeoutMs} ms`
        : `ffmpeg made no progress for ${timeoutMs} ms`,
      'runtime',
      options,
    );
    this.name = 'FfmpegTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A preset or option needs something the installed binary does not have (encoder, muxer, flag).
 * Always `kind: 'runtime'`: another build would do.
 *
 * @example
 * ```ts
 * import { CapabilityMissingError, imageVariants, probe } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/photo.png';
 * const variants = [{ name: 'hero', maxWidth: 1920, format: 'avif' as const }];
 * try {
 *   imageVariants({ input, probe: await probe(input), outputDir: '/tmp/img', variants });
 * } catch (err) {
 *   if (err instanceof CapabilityMissingError) console.error(`this ffmpeg cannot write ${err.capability}`);
 * }
 * ```
 */
export class CapabilityMissingError extends MediaPipelineError {
  /** What is missing (`'avif'`, an encoder or option name). */
  readonly capability: string;
  constructor(capability: string, message: string, options?: ErrorOptions) {
    super('CAPABILITY_MISSING', message, 'runtime', options);
    this.name = 'CapabilityMissingError';
    this.capability = capability;
  }
}

/**
 * The process went over `maxMemoryBytes` and was killed. Counted as an input fault: with the profile's
 * caps in place, only a decompression bomb or a hostile file should get there.
 *
 * @example
 * ```ts
 * import { MemoryLimitError, ffmpeg, runFfmpeg } from '@media-server/media-pipeline';
 *
 * const cmd = ffmpeg().input('/tmp/in.mp4').output('/tmp/out.mp4');
 * const err = await runFfmpeg(cmd, { maxMemoryBytes: 512 * 2 ** 20 }).catch((e: unknown) => e);
 * if (err instanceof MemoryLimitError) console.error(`killed at ${err.peakBytes} bytes`, err.limitBytes);
 * ```
 */
export class MemoryLimitError extends MediaPipelineError {
  /** The `maxMemoryBytes` the run was given. */
  readonly limitBytes: number;
  /** Peak memory of the process tree when it was killed, in bytes. */
  readonly peakBytes: number;
  constructor(limitBytes: number, peakBytes: number, options?: ErrorOptions) {
    super(
      'MEMORY_LIMIT',
      `process used ${peakBytes} bytes, over the limit of ${limitBytes}`,
      'input',
      options,
    );
    this.name = 'MemoryLimitError';
    this.limitBytes = limitBytes;
    this.peakBytes = peakBytes;
  }
}

/**
 * `true` when `err` says the media itself is bad, hostile or out of policy, so retrying cannot help
 * (map it to a permanent job failure). `false` for everything else, including non-library errors.
 * The same as `err instanceof MediaPipelineError && err.permanent`.
 *
 * @example
 * ```ts
 * import { admitInput, isInputError } from '@media-server/media-pipeline';
 *
 * const outcome = await admitInput('/tmp/upload.bin').then(
 *   () => 'admitted',
 *   (err: unknown) => (isInputError(err) ? 'rejected for good' : 'retry later'),
 * );
 * ```
 */
export function isInputError(err: unknown): boolean {
  return err instanceof MediaPipelineError && err.permanent;
}

const INPUT_FAULT_PATTERNS: RegExp[] = [
  /Invalid data found when processing input/i,
  /not in (the )?(format|protocol) whitelist/i,
  /Protocol '.*' not on whitelist/i,
  /not on whitelist/i,
  /exceeds max_streams/i,
  /moov atom not found/i,
  /Unsafe file name/i,
  /Picture size .* is invalid/i,
  /exceeds max_pixels|max_pixels/i,
  /could not find codec parameters/i,
  /Operation not permitted/i,
  /Too many streams/i,
  /End of file/i,
  /does not contain any stream/i,
  /Stream map .* matches no streams/i,
  /Error while decoding stream/i,
  /Invalid NAL unit size/i,
];

/** Decides whether a failed ffmpeg's stderr points at the input. */
function classifyStderr(tail: string[]): MediaPipelineErrorKind {
  const text = tail.join('\n');
  return INPUT_FAULT_PATTERNS.some((re) => re.test(text)) ? 'input' : 'runtime';
}

/**
 * `FFMPEG_SANDBOX=required` (or `sandbox: 'required'`) and the sandbox cannot start on this host: no `bwrap`,
 * namespaces refused, or the binary cannot be started inside it. Retrying on the same host will not help;
 * another host (or `auto`/`off`) would. `kind: 'runtime'`.
 *
 * @example
 * ```ts
 * import { describeFfmpegRuntime, SandboxUnavailableError } from '@media-server/media-pipeline';
 *
 * const runtime = await describeFfmpegRuntime('required').catch((err: unknown) => {
 *   if (err instanceof SandboxUnavailableError) console.error('refusing to start:', err.reason);
 *   throw err;
 * });
 * ```
 */
export class SandboxUnavailableError extends MediaPipelineError {
  /** Why the sandbox cannot start. */
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(
      'SANDBOX_UNAVAILABLE',
      `the ffmpeg sandbox is required but cannot start: ${reason}`,
      'runtime',
      options,
    );
    this.name = 'SandboxUnavailableError';
    this.reason = reason;
  }
}

/**
 * ffmpeg exited cleanly but an output is not what the run should have left: a file missing or empty, or an
 * HLS media playlist that is malformed, unfinished, or does not match the segments on disk. `kind` is
 * `'input'` (permanent) unless given: ffmpeg is deterministic, so the same input leaves the same outputs;
 * the usual cause is an input whose index promises frames it does not hold (a poster seek past the real end).
 *
 * @example
 * ```ts
 * import { InvalidOutputError, poster, probe, runPreset } from '@media-server/media-pipeline';
 *
 * const input = '/tmp/upload.mp4';
 * const plan = poster({ input, probe: await probe(input), output: '/tmp/poster.jpg' });
 * const err = await runPreset(plan).catch((e: unknown) => e);
 * if (err instanceof InvalidOutputError) console.error('no poster:', err.path, err.message);
 * ```
 */
export class InvalidOutputError extends MediaPipelineError {
  /** The output at fault, when one file is. */
  readonly path: string | undefined;

  constructor(message: string, path?: string | undefined, options?: MediaPipelineErrorOptions) {
    super('INVALID_OUTPUT', message, options?.kind ?? 'input', options);
    this.name = 'InvalidOutputError';
    this.path = path;
  }
}
