/** Why a playback request was refused: a bad or expired token, or a key outside the job's outputs. */
export type PlaybackErrorCode =
  | 'PLAYBACK_TOKEN_INVALID'
  | 'PLAYBACK_TOKEN_EXPIRED'
  | 'PLAYBACK_KEY_OUTSIDE_JOB';

/**
 * A refused playback request. It carries `statusCode` 403, so the API's problem handler answers it as
 * `application/problem+json` with `code`.
 */
export class PlaybackForbiddenError extends Error {
  readonly code: PlaybackErrorCode;
  readonly statusCode: number = 403;
  constructor(code: PlaybackErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlaybackForbiddenError';
    this.code = code;
  }
}
