/** Every `code` a {@link QueueConsumerError} can carry. */
export type QueueConsumerErrorCode =
  | 'INVALID_OPTIONS'
  | 'START_FAILED'
  | 'QUEUE_NOT_FOUND'
  | 'CREDENTIALS'
  | 'RECEIVE_FAILED'
  | 'DELETE_FAILED'
  | 'CHANGE_VISIBILITY_FAILED'
  | 'HEARTBEAT_FAILED'
  | 'HANDLER_TIMEOUT'
  | 'HANDLER_FAILED'
  | 'PERMANENT_FAILURE'
  | 'DEAD_LETTER_FAILED'
  | 'STOPPED'
  | 'S3_EVENT_PARSE';

/** Base class of every error this package throws or emits. Branch on `code`. */
export class QueueConsumerError extends Error {
  override name = 'QueueConsumerError';
  readonly code: QueueConsumerErrorCode;
  /** The message the failed call was about (delete, hand-back, heartbeat of one message), if one. */
  readonly messageId: string | undefined;
  constructor(
    code: QueueConsumerErrorCode,
    message: string,
    options?: ErrorOptions & { messageId?: string | undefined },
  ) {
    super(message, options);
    this.code = code;
    this.messageId = options?.messageId;
  }
}

/**
 * Throw this from a handler when retrying cannot help (bad input, unknown job). The message is not handed
 * back for a retry: it goes to `onPermanentFailure` (default: the queue's dead-letter queue, else deleted).
 * Any other error whose `permanent` property is `true` is treated the same way (see {@link isPermanentError}),
 * so libraries can mark their own errors permanent without depending on this package.
 *
 * @example
 * ```ts
 * if (!isVideo(key)) throw new PermanentError(`not a video: ${key}`);
 * ```
 */
export class PermanentError extends QueueConsumerError {
  override name = 'PermanentError';
  /** Always `true`: this is what {@link isPermanentError} reads. */
  readonly permanent = true;
  constructor(message: string, options?: ErrorOptions & { messageId?: string | undefined }) {
    super('PERMANENT_FAILURE', message, options);
  }
}

/**
 * `true` when retrying cannot help: `error` is an object whose `permanent` property is `true`
 * ({@link PermanentError}, a media-pipeline input error, a worker's job failure). The one test the consumer
 * and the worker use to decide between a retry and a permanent failure.
 *
 * @example
 * ```ts
 * try { await transcode(job); } catch (error) {
 *   if (isPermanentError(error)) markFailed(job, error); else throw error; // retried later
 * }
 * ```
 */
export function isPermanentError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

/** The queue does not exist (or the URL is wrong). Rejects `start()`; emitted (then the consumer stops) if it disappears later. */
export class QueueNotFoundError extends QueueConsumerError {
  override name = 'QueueNotFoundError';
  readonly queueUrl: string;
  constructor(queueUrl: string, options?: ErrorOptions) {
    super('QUEUE_NOT_FOUND', `SQS queue does not exist: ${queueUrl}`, options);
    this.queueUrl = queueUrl;
  }
}

/** AWS rejected the credentials or the signature. Rejects `start()`; emitted (then the consumer stops) later. */
export class CredentialsError extends QueueConsumerError {
  override name = 'CredentialsError';
  constructor(message: string, options?: ErrorOptions) {
    super('CREDENTIALS', message, options);
  }
}

/** The handler ran longer than `handlerTimeoutMs`; it is the reason of the handler's aborted signal. */
export class HandlerTimeoutError extends QueueConsumerError {
  override name = 'HandlerTimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super('HANDLER_TIMEOUT', `handler did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** A batched SQS call failed for some entries after its retries. */
export class BatchEntryError extends QueueConsumerError {
  override name = 'BatchEntryError';
  /** The SQS error code of the entry (`ReceiptHandleIsInvalid`, …). */
  readonly entryCode: string;
  override readonly messageId: string;
  constructor(
    code: 'DELETE_FAILED' | 'CHANGE_VISIBILITY_FAILED' | 'HEARTBEAT_FAILED',
    messageId: string,
    entryCode: string,
    message: string,
  ) {
    super(
      code,
      `${code.toLowerCase().replaceAll('_', ' ')} for message ${messageId}: ${entryCode}: ${message}`,
      { messageId },
    );
    this.entryCode = entryCode;
    this.messageId = messageId;
  }
}

/** Every `code` an {@link S3EventParseError} can carry. */
export type S3EventParseErrorCode =
  | 'NOT_JSON'
  | 'NOT_AN_OBJECT'
  | 'NO_RECORDS'
  | 'BAD_RECORD'
  | 'BAD_ENVELOPE';

/** The body is not an S3 event notification. `reason` says why. */
export class S3EventParseError extends QueueConsumerError {
  override name = 'S3EventParseError';
  readonly reason: S3EventParseErrorCode;
  constructor(reason: S3EventParseErrorCode, message: string, options?: ErrorOptions) {
    super('S3_EVENT_PARSE', message, options);
    this.reason = reason;
  }
}
