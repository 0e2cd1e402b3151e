import {
  DECODE_ERROR_PATTERNS,
  type FfmpegExitDetails,
  FfmpegExitError,
  InputDecodeError,
  InputTruncatedError,
  TRUNCATION_PATTERNS,
} from './errors.ts';
import { CRASH_SIGNALS } from './process-watch.ts';

/** What an ffmpeg stderr tail says about the input's data: cut short, damaged, or nothing. */
export type DataFault = 'truncated' | 'corrupt' | undefined;

/** Reads a stderr tail for signs of a truncated or damaged input (truncation wins when both show). */
export function detectDataFault(stderrTail: readonly string[]): DataFault {
  const text = stderrTail.join('\n');
  if (TRUNCATION_PATTERNS.some((re) => re.test(text))) return 'truncated';
  if (DECODE_ERROR_PATTERNS.some((re) => re.test(text))) return 'corrupt';
  return undefined;
}

/**
 * The error for an ffmpeg run that ended badly, or that exited 0 but logged damaged input data:
 * {@link InputTruncatedError} / {@link InputDecodeError} when stderr says so, else {@link FfmpegExitError}
 * (a crash signal counts as the input's fault). `undefined` for a clean successful run.
 */
export function exitErrorFor(details: FfmpegExitDetails): FfmpegExitError | undefined {
  const fault = detectDataFault(details.stderrTail);
  if (fault === 'truncated') return new InputTruncatedError(details);
  if (fault === 'corrupt') return new InputDecodeError(details);
  if (details.exitCode === 0 && !details.signal) return undefined;
  const crashed = details.signal !== null && CRASH_SIGNALS.has(details.signal);
  return new FfmpegExitError(details, crashed ? { kind: 'input' } : undefined);
}
