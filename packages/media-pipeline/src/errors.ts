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

/** Base class of every error this package throws. Branch on `code`, or on `kind` for retry decisions. */
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
 */
export class FfmpegExitError extends MediaPipelineError {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string[];
  readonly argv: readonly string[];
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
 */
export class InputTruncatedError extends FfmpegExitError {
  readonly output: string | undefined;
  readonly expectedSeconds: number | undefined;
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

/** A decoder reported damaged data (ffmpeg runs with `-xerror`, so the first decode error ends the run). */
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

/** The ffmpeg or ffprobe binary could not be found or cannot be executed. */
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
 * or ffprobe itself crashed on it (`signal` set). Input fault unless the binary could not start.
 */
export class ProbeError extends MediaPipelineError {
  readonly file: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
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

/** Names of the input-policy rules (see `checkInputPolicy`). */
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

/** The input was readable but a policy rule rejected it. Always `kind: 'input'`. */
export class UnsupportedInputError extends MediaPipelineError {
  /** The rule that rejected the input. */
  readonly rule: InputRule;
  /** The offending value and the limit, when they are numbers or names. */
  readonly actual: string | number | undefined;
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

/** The run was cancelled through its AbortSignal. */
export class FfmpegAbortError extends MediaPipelineError {
  constructor(message = 'ffmpeg run was aborted', options?: ErrorOptions) {
    super('ABORTED', message, 'runtime', options);
    this.name = 'FfmpegAbortError';
  }
}

/** The run exceeded `timeoutMs` (`code: 'TIMEOUT'`) or made no progress for `stallTimeoutMs` (`'STALLED'`). */
export class FfmpegTimeoutError extends MediaPipelineError {
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

/** A preset or option needs something the installed binary does not have (encoder, muxer, flag). */
export class CapabilityMissingError extends MediaPipelineError {
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
 */
export class MemoryLimitError extends MediaPipelineError {
  readonly limitBytes: number;
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
 * another host (or `auto`/`off`) would.
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
