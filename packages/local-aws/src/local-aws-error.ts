/** What went wrong while starting, configuring or running local-aws (outside the SQS protocol itself). */
export type LocalAwsErrorCode =
  | 'InvalidConfiguration'
  | 'PortInUse'
  | 'NotificationDeliveryFailed'
  /** The installed s3rver no longer matches what local-aws reaches into (see `S3rverReachError`). */
  | 'S3rverIncompatible';

/** Base class of the errors that `startLocalAws`, the S3 side and the CLI throw. */
export class LocalAwsError extends Error {
  /** Machine-readable reason; branch on this or on the subclass. */
  readonly code: LocalAwsErrorCode;

  constructor(code: LocalAwsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalAwsError';
    this.code = code;
  }
}

/** The options (or CLI flags, or config file) describe something local-aws cannot set up. */
export class InvalidConfigurationError extends LocalAwsError {
  constructor(message: string, options?: ErrorOptions) {
    super('InvalidConfiguration', message, options);
    this.name = 'InvalidConfigurationError';
  }
}

/** A fixed port that was asked for is already taken by another process. */
export class PortInUseError extends LocalAwsError {
  /** The service whose port was taken. */
  readonly service: 'sqs' | 's3';
  /** The port that was asked for. */
  readonly port: number;

  constructor(service: 'sqs' | 's3', host: string, port: number, options?: ErrorOptions) {
    super('PortInUse', `${service.toUpperCase()} port ${host}:${port} is already in use`, options);
    this.name = 'PortInUseError';
    this.service = service;
    this.port = port;
  }
}

/** An S3 event could not be enqueued on its notification's queue (for example, the queue was deleted). */
export class NotificationDeliveryError extends LocalAwsError {
  /** Bucket of the object whose event was lost. */
  readonly bucket: string;
  /** Decoded key of the object whose event was lost. */
  readonly key: string;
  /** Name of the queue the event was meant for. */
  readonly queue: string;

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
