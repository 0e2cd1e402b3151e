/**
 * What went wrong, the `code` of every {@link LocalAwsError}:
 * - `'InvalidConfiguration'`: options, CLI flags or config file describe something local-aws cannot set up
 *   ({@link InvalidConfigurationError}).
 * - `'PortInUse'`: a fixed port is taken ({@link PortInUseError}).
 * - `'NotificationDeliveryFailed'`: an S3 event could not be put on its queue ({@link NotificationDeliveryError}).
 * - `'S3rverIncompatible'`: the installed s3rver no longer matches what local-aws reaches into.
 * - `'SqsRequestFailed'`: the SQS server refused or could not serve a call (`SqsServerError`; the AWS error
 *   name is its `awsCode`).
 * - `'S3RequestFailed'`: the S3 side answered a request with an S3 error (its S3 code is `awsCode`).
 */
export type LocalAwsErrorCode =
  | 'InvalidConfiguration'
  | 'PortInUse'
  | 'NotificationDeliveryFailed'
  | 'S3rverIncompatible'
  | 'SqsRequestFailed'
  | 'S3RequestFailed';

/**
 * Base class of every error local-aws throws: `startLocalAws`, the SQS server, the S3 side and the CLI.
 * Branch on `code` or on the subclass.
 *
 * @example
 * ```ts
 * import { LocalAwsError, startLocalAws } from '@media-server/local-aws';
 *
 * try {
 *   const aws = await startLocalAws({ sqsPort: 4566, queues: [{ name: 'jobs' }] });
 *   await aws.stop();
 * } catch (error) {
 *   if (error instanceof LocalAwsError && error.code === 'PortInUse') console.error('local-aws runs already');
 *   else throw error;
 * }
 * ```
 */
export class LocalAwsError extends Error {
  /** Machine-readable reason; branch on this or on the subclass. */
  readonly code: LocalAwsErrorCode;

  /**
   * @param code What went wrong.
   * @param message Human-readable detail.
   * @param options `cause`, as for `Error`.
   */
  constructor(code: LocalAwsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalAwsError';
    this.code = code;
  }
}

/**
 * The options (or CLI flags, or config file) describe something local-aws cannot set up (code
 * `'InvalidConfiguration'`): a bad port or bucket name, a queue SQS refuses, a notification naming a missing
 * bucket or queue, overlapping notification filters. Thrown before anything is left running.
 *
 * @example
 * ```ts
 * import { InvalidConfigurationError, startLocalAws } from '@media-server/local-aws';
 *
 * const error = await startLocalAws({ buckets: ['Not_A_Bucket'] }).catch((e: unknown) => e);
 * console.log(error instanceof InvalidConfigurationError); // true
 * ```
 */
export class InvalidConfigurationError extends LocalAwsError {
  /**
   * @param message What is wrong with the configuration.
   * @param options `cause`, as for `Error`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super('InvalidConfiguration', message, options);
    this.name = 'InvalidConfigurationError';
  }
}

/**
 * A fixed port that was asked for is already taken by another process (code `'PortInUse'`).
 *
 * @example
 * ```ts
 * import { PortInUseError, startLocalAws } from '@media-server/local-aws';
 *
 * const aws = await startLocalAws({ sqsPort: 4566 }).catch((error: unknown) => {
 *   if (error instanceof PortInUseError) return startLocalAws(); // take any free port instead
 *   throw error;
 * });
 * console.log(aws.sqsEndpoint);
 * await aws.stop();
 * ```
 */
export class PortInUseError extends LocalAwsError {
  /** The service whose port was taken. */
  readonly service: 'sqs' | 's3';
  /** The port that was asked for. */
  readonly port: number;

  /**
   * @param service The service whose port was taken.
   * @param host The interface it was to listen on.
   * @param port The port that was asked for.
   * @param options `cause`: the listen error (`EADDRINUSE`).
   */
  constructor(service: 'sqs' | 's3', host: string, port: number, options?: ErrorOptions) {
    super('PortInUse', `${service.toUpperCase()} port ${host}:${port} is already in use`, options);
    this.name = 'PortInUseError';
    this.service = service;
    this.port = port;
  }
}

/**
 * An S3 event could not be enqueued on its notification's queue, for example because the queue was deleted
 * (code `'NotificationDeliveryFailed'`). Passed to `onNotificationError`; the S3 request itself succeeds,
 * as with S3.
 *
 * @example
 * ```ts
 * import { type NotificationDeliveryError, startLocalAws } from '@media-server/local-aws';
 *
 * const lost: NotificationDeliveryError[] = [];
 * const aws = await startLocalAws({
 *   queues: [{ name: 'jobs' }],
 *   buckets: ['media'],
 *   notifications: [{ bucket: 'media', queue: 'jobs' }],
 *   onNotificationError: (error) => lost.push(error),
 * });
 * // ... after a PutObject whose event could not be queued: lost[0].bucket, lost[0].key, lost[0].queue
 * await aws.stop();
 * ```
 */
export class NotificationDeliveryError extends LocalAwsError {
  /** Bucket of the object whose event was lost. */
  readonly bucket: string;
  /** Decoded key of the object whose event was lost. */
  readonly key: string;
  /** Name of the queue the event was meant for. */
  readonly queue: string;

  /**
   * @param bucket Bucket of the object whose event was lost.
   * @param key Decoded key of the object.
   * @param queue Name of the queue the event was meant for.
   * @param options `cause`: why the send failed.
   */
  constructor(bucket: string, key: string, queue: string, options?: ErrorOptions) {
    super(
      'NotificationDeliveryFailed',
      `could not deliver the S3 event for s3://${bucket}/${key} to queue "${queue}"`,
      options,
    );
    this.name = 'NotificationDeliveryError';
    this.bucket = bucket;
    this.key = key;
    this.queue = queue;
  }
}

/** True when `error` (or one of its causes) is a listen failure because the address is taken. */
export function isAddressInUse(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ((current as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
    if (current instanceof PortInUseError) return true;
    current = current.cause;
  }
  return false;
}
