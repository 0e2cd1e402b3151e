/** Codes of the failures the worker itself decides are permanent (the media pipeline adds its own). */
export type JobFailureCode =
  | 'SOURCE_MISSING'
  | 'SPEC_MISSING'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_EMPTY'
  | 'UNSUPPORTED_MEDIA'
  | 'PRESET_NOT_APPLICABLE'
  | 'OUTPUT_INVALID';

/**
 * A job failure that retrying cannot fix: the job is marked `failed` with this code and the message is not
 * retried. Transient problems (network, S3 5xx, a killed ffmpeg) are plain errors and get retried.
 */
export class JobFailure extends Error {
  override name = 'JobFailure';
  readonly code: JobFailureCode;
  /** Always `true`: queue-consumer's `isPermanentError` reads it. */
  readonly permanent = true;
  constructor(code: JobFailureCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
