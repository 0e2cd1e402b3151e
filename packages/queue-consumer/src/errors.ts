/**
 * Every `code` a {@link QueueConsumerError} can carry. `INVALID_OPTIONS`: the constructor refused the
 * options. `START_FAILED`, `QUEUE_NOT_FOUND`, `CREDENTIALS`: `start()` rejected (the last two are also
 * emitted later, then the consumer stops). `RECEIVE_FAILED`, `DELETE_FAILED`, `CHANGE_VISIBILITY_FAILED`,
 * `HEARTBEAT_FAILED`, `DEAD_LETTER_FAILED`, `HANDLER_FAILED`: emitted as `error` events, the consumer goes on.
 * `HANDLER_TIMEOUT`, `STOPPED`: the reason of a handler's aborted signal (`STOPPED` also rejects a second
 * `start()`). `PERMANENT_FAILURE`: a {@link PermanentError}. `S3_EVENT_PARSE`: {@link parseS3Event} refused a body.
 */
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

/**
 * Base class of every error this package throws or emits. Branch on `code` (or on the subclass); `cause`
 * holds the AWS SDK error when there is one.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { QueueConsumer } from '@media-server/queue-consumer';
 *
 * const consumer = new QueueConsumer({
 *   sqs: new SQSClient({}),
 *   queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
 *   handler: async () => {},
 * });
 * consumer.on('error', (error) => {
 *   if (error.code === 'QUEUE_NOT_FOUND' || error.code === 'CREDENTIALS') process.exitCode = 1; // it stops
 *   else console.warn(error.code, error.messageId ?? '', error.message); // it goes on
 * });
 * ```
 */
export class QueueConsumerError extends Error {
  /** The class name, `'QueueConsumerError'` (each subclass sets its own). */
  override name = 'QueueConsumerError';
  /** Machine-readable reason. */
  readonly code: QueueConsumerErrorCode;
  /** The message the failed call was about (delete, hand-back, heartbeat of one message), if one. */
  readonly messageId: string | undefined;
  /**
   * @param code What went wrong.
   * @param message Human-readable detail.
   * @param options `cause`, as for `Error`, and the `messageId` the error is about.
   */
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
 * import { type MessageHandler, PermanentError } from '@media-server/queue-consumer';
 *
 * const handler: MessageHandler = async (message) => {
 *   const key = message.Body ?? '';
 *   if (!key.endsWith('.mp4')) throw new PermanentError(`not a video: ${key}`); // dead-lettered, not retried
 *   // ... process the video; any other throw is retried with backoff
 * };
 * ```
 */
export class PermanentError extends QueueConsumerError {
  /** The class name, `'PermanentError'`. */
  override name = 'PermanentError';
  /** Always `true`: this is what {@link isPermanentError} reads. */
  readonly permanent = true;
  /**
   * @param message Why retrying cannot help.
   * @param options `cause`, as for `Error`, and the `messageId` the error is about.
   */
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
 * import { isPermanentError, PermanentError } from '@media-server/queue-consumer';
 *
 * const inputError = Object.assign(new Error('not a media file'), { permanent: true });
 * console.log(isPermanentError(inputError)); // true: another library's error, marked permanent
 * console.log(isPermanentError(new PermanentError('unknown job'))); // true
 * console.log(isPermanentError(new Error('ECONNRESET'))); // false: worth a retry
 * ```
 */
export function isPermanentError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

/**
 * The queue does not exist (or the URL is wrong), code `QUEUE_NOT_FOUND`. Rejects `start()`; emitted (then
 * the consumer stops) if the queue disappears later.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { QueueConsumer, QueueNotFoundError } from '@media-server/queue-consumer';
 *
 * const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs';
 * const consumer = new QueueConsumer({ sqs: new SQSClient({}), queueUrl, handler: async () => {} });
 * await consumer.start().catch((error: unknown) => {
 *   if (error instanceof QueueNotFoundError) console.error(`no queue at ${error.queueUrl}`);
 *   throw error;
 * });
 * ```
 */
export class QueueNotFoundError extends QueueConsumerError {
  /** The class name, `'QueueNotFoundError'`. */
  override name = 'QueueNotFoundError';
  /** The URL that named no queue. */
  readonly queueUrl: string;
  /**
   * @param queueUrl The URL that named no queue.
   * @param options `cause`: the AWS SDK error.
   */
  constructor(queueUrl: string, options?: ErrorOptions) {
    super('QUEUE_NOT_FOUND', `SQS queue does not exist: ${queueUrl}`, options);
    this.queueUrl = queueUrl;
  }
}

/**
 * AWS rejected the credentials or the signature, code `CREDENTIALS`. Rejects `start()`; emitted (then the
 * consumer stops) when it happens later, as when temporary credentials expire without renewal.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { CredentialsError, QueueConsumer } from '@media-server/queue-consumer';
 *
 * const consumer = new QueueConsumer({
 *   sqs: new SQSClient({}),
 *   queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
 *   handler: async () => {},
 * });
 * consumer.on('error', (error) => {
 *   if (error instanceof CredentialsError) console.error('check AWS_PROFILE:', error.message);
 * });
 * ```
 */
export class CredentialsError extends QueueConsumerError {
  /** The class name, `'CredentialsError'`. */
  override name = 'CredentialsError';
  /**
   * @param message What AWS said.
   * @param options `cause`: the AWS SDK error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super('CREDENTIALS', message, options);
  }
}

/**
 * The handler ran longer than `handlerTimeoutMs` (code `HANDLER_TIMEOUT`): the reason of the handler's
 * aborted signal, and the error of the `failed` event. The message is handed back with backoff.
 *
 * @example
 * ```ts
 * import { HandlerTimeoutError, type MessageHandler } from '@media-server/queue-consumer';
 *
 * const handler: MessageHandler = async (message, { signal }) => {
 *   signal.addEventListener('abort', () => {
 *     if (signal.reason instanceof HandlerTimeoutError) console.warn(`${message.MessageId} took too long`);
 *   });
 *   await fetch('https://example.com/slow', { signal });
 * };
 * ```
 */
export class HandlerTimeoutError extends QueueConsumerError {
  /** The class name, `'HandlerTimeoutError'`. */
  override name = 'HandlerTimeoutError';
  /** The `handlerTimeoutMs` that elapsed. */
  readonly timeoutMs: number;
  /** @param timeoutMs The `handlerTimeoutMs` that elapsed. */
  constructor(timeoutMs: number) {
    super('HANDLER_TIMEOUT', `handler did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * One entry of a batched SQS call (DeleteMessageBatch, ChangeMessageVisibilityBatch) failed after the
 * client's retries; emitted as an `error` event with code `DELETE_FAILED`, `CHANGE_VISIBILITY_FAILED` or
 * `HEARTBEAT_FAILED`. A message whose delete failed will be delivered again: handlers must be idempotent.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { BatchEntryError, QueueConsumer } from '@media-server/queue-consumer';
 *
 * const consumer = new QueueConsumer({
 *   sqs: new SQSClient({}),
 *   queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
 *   handler: async () => {},
 * });
 * consumer.on('error', (error) => {
 *   if (error instanceof BatchEntryError) console.warn(error.code, error.messageId, error.entryCode);
 * });
 * ```
 */
export class BatchEntryError extends QueueConsumerError {
  /** The class name, `'BatchEntryError'`. */
  override name = 'BatchEntryError';
  /** The SQS error code of the entry (`ReceiptHandleIsInvalid`, …). */
  readonly entryCode: string;
  /** The message whose entry failed. */
  override readonly messageId: string;
  /**
   * @param code Which call failed.
   * @param messageId The message whose entry failed.
   * @param entryCode The SQS error code of the entry.
   * @param message The SQS error message of the entry.
   */
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

/**
 * Why {@link parseS3Event} refused a body (the `reason` of an {@link S3EventParseError}): `NOT_JSON`,
 * `NOT_AN_OBJECT`, `NO_RECORDS` (no `Records` array), `BAD_RECORD` (a record lacks a field, or its key is
 * not valid URL encoding), `BAD_ENVELOPE` (an SNS envelope whose `Message` is not a string).
 */
export type S3EventParseErrorCode =
  | 'NOT_JSON'
  | 'NOT_AN_OBJECT'
  | 'NO_RECORDS'
  | 'BAD_RECORD'
  | 'BAD_ENVELOPE';

/**
 * The body given to {@link parseS3Event} is not an S3 event notification (code `S3_EVENT_PARSE`); `reason`
 * says why. Usually worth a {@link PermanentError}: the same body will never parse.
 *
 * @example
 * ```ts
 * import { parseS3Event, S3EventParseError } from '@media-server/queue-consumer';
 *
 * try {
 *   parseS3Event('{"hello":"world"}');
 * } catch (error) {
 *   if (error instanceof S3EventParseError) console.log(error.reason); // NO_RECORDS
 * }
 * ```
 */
export class S3EventParseError extends QueueConsumerError {
  /** The class name, `'S3EventParseError'`. */
  override name = 'S3EventParseError';
  /** Why the body was refused. */
  readonly reason: S3EventParseErrorCode;
  /**
   * @param reason Why the body was refused.
   * @param message Human-readable detail.
   * @param options `cause`, as for `Error` (the `JSON.parse` or `decodeURIComponent` error).
   */
  constructor(reason: S3EventParseErrorCode, message: string, options?: ErrorOptions) {
    super('S3_EVENT_PARSE', message, options);
    this.reason = reason;
  }
}
