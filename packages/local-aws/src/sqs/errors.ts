import { LocalAwsError } from '../local-aws-error.ts';

/**
 * AWS SQS error names this server answers with: the `awsCode` of a {@link SqsServerError}. Each maps to the AWS query-protocol code, HTTP status and
 * fault that AWS documents, so SDK error classes (`QueueDoesNotExist`, `ReceiptHandleIsInvalid`, ...) match.
 */
export type SqsErrorCode =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'InvalidParameterValue'
  | 'MissingParameter'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidMessageContents'
  | 'InvalidAddress'
  | 'InvalidAction'
  | 'UnknownOperationException'
  | 'TooManyEntriesInBatchRequest'
  | 'EmptyBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'BatchRequestTooLong'
  | 'InvalidBatchEntryId'
  | 'ResourceNotFoundException'
  | 'UnsupportedOperation'
  | 'OverLimit'
  | 'RequestEntityTooLarge'
  | 'SerializationException'
  | 'ServerClosed'
  | 'InternalFailure';

interface ErrorShape {
  /** Code as the query protocol (and the `x-amzn-query-error` header) spells it. */
  readonly queryCode: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
}

const SHAPES: Record<SqsErrorCode, ErrorShape> = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400, fault: 'Sender' },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400, fault: 'Sender' },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404, fault: 'Sender' },
  MessageNotInflight: {
    queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    status: 400,
    fault: 'Sender',
  },
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', status: 400, fault: 'Sender' },
  MissingParameter: { queryCode: 'MissingParameter', status: 400, fault: 'Sender' },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400, fault: 'Sender' },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400, fault: 'Sender' },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400, fault: 'Sender' },
  InvalidAddress: { queryCode: 'InvalidAddress', status: 404, fault: 'Sender' },
  InvalidAction: { queryCode: 'InvalidAction', status: 400, fault: 'Sender' },
  UnknownOperationException: { queryCode: 'InvalidAction', status: 400, fault: 'Sender' },
  TooManyEntriesInBatchRequest: {
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
    fault: 'Sender',
  },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400, fault: 'Sender' },
  BatchEntryIdsNotDistinct: {
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    status: 400,
    fault: 'Sender',
  },
  BatchRequestTooLong: {
    queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    status: 400,
    fault: 'Sender',
  },
  InvalidBatchEntryId: {
    queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId',
    status: 400,
    fault: 'Sender',
  },
  ResourceNotFoundException: { queryCode: 'ResourceNotFoundException', status: 404, fault: 'Sender' },
  UnsupportedOperation: {
    queryCode: 'AWS.SimpleQueueService.UnsupportedOperation',
    status: 400,
    fault: 'Sender',
  },
  OverLimit: { queryCode: 'OverLimit', status: 403, fault: 'Sender' },
  RequestEntityTooLarge: { queryCode: 'RequestEntityTooLarge', status: 413, fault: 'Sender' },
  SerializationException: { queryCode: 'SerializationException', status: 400, fault: 'Sender' },
  ServerClosed: { queryCode: 'ServiceUnavailable', status: 503, fault: 'Receiver' },
  InternalFailure: { queryCode: 'InternalFailure', status: 500, fault: 'Receiver' },
};

/**
 * Base class of every error the SQS server raises, code `'SqsRequestFailed'`; `awsCode` is the AWS error
 * name. Over HTTP it becomes the AWS-style error answer of the protocol in use; in process (`createQueue`,
 * `sendMessage` of a {@link SqsServer}) it is thrown as is.
 *
 * @example
 * ```ts
 * import { SqsServerError, startSqsServer } from '@media-server/local-aws';
 *
 * const sqs = await startSqsServer();
 * await sqs.createQueue('jobs', { VisibilityTimeout: '30' });
 * const error = await sqs.createQueue('jobs', { VisibilityTimeout: '60' }).catch((e: unknown) => e);
 * if (error instanceof SqsServerError) console.log(error.awsCode, error.httpStatus); // QueueNameExists 400
 * await sqs.stop();
 * ```
 */
export class SqsServerError extends LocalAwsError {
  /** The class name, `'SqsServerError'` (each subclass sets its own). */
  override readonly name: string = 'SqsServerError';
  /** The AWS error name (the `__type` of a JSON-protocol error, the SDK's error class name). */
  readonly awsCode: SqsErrorCode;
  /**
   * @param awsCode The AWS error name to answer with.
   * @param message The message of the AWS error answer.
   * @param options `cause`, as for `Error`.
   */
  constructor(awsCode: SqsErrorCode, message: string, options?: ErrorOptions) {
    super('SqsRequestFailed', message, options);
    this.awsCode = awsCode;
  }
  /** Code as the query protocol spells it (`AWS.SimpleQueueService.NonExistentQueue`, ...). */
  get queryCode(): string {
    return SHAPES[this.awsCode].queryCode;
  }
  /** HTTP status AWS answers with. */
  get httpStatus(): number {
    return SHAPES[this.awsCode].status;
  }
  /** `Sender` (client error) or `Receiver` (server error). */
  get fault(): 'Sender' | 'Receiver' {
    return SHAPES[this.awsCode].fault;
  }
}

/**
 * The named queue does not exist (`awsCode` `'QueueDoesNotExist'`).
 *
 * @example
 * ```ts
 * import { QueueDoesNotExistError, startSqsServer } from '@media-server/local-aws';
 *
 * const sqs = await startSqsServer();
 * const error = await sqs.sendMessage('missing', 'hello').catch((e: unknown) => e);
 * console.log(error instanceof QueueDoesNotExistError); // true
 * await sqs.stop();
 * ```
 */
export class QueueDoesNotExistError extends SqsServerError {
  /** The class name, `'QueueDoesNotExistError'`. */
  override readonly name: string = 'QueueDoesNotExistError';
  /** @param options `cause`, as for `Error`. */
  constructor(options?: ErrorOptions) {
    super('QueueDoesNotExist', 'The specified queue does not exist.', options);
  }
}

/**
 * A request the SQS server refuses: a parameter missing or out of range, a name taken, a bad batch (the
 * AWS error name is `awsCode`: `'InvalidParameterValue'`, `'MissingParameter'`, `'QueueNameExists'`, ...).
 *
 * @example
 * ```ts
 * import { InvalidSqsRequestError, startSqsServer } from '@media-server/local-aws';
 *
 * const sqs = await startSqsServer();
 * await sqs.createQueue('jobs.fifo');
 * const error = await sqs.sendMessage('jobs.fifo', 'no group').catch((e: unknown) => e);
 * if (error instanceof InvalidSqsRequestError) console.log(error.awsCode); // MissingParameter
 * await sqs.stop();
 * ```
 */
export class InvalidSqsRequestError extends SqsServerError {
  /** The class name, `'InvalidSqsRequestError'`. */
  override readonly name: string = 'InvalidSqsRequestError';
}

/**
 * The server was stopped while the call was pending or before it started (`awsCode` `'ServerClosed'`,
 * HTTP 503 over the wire).
 *
 * @example
 * ```ts
 * import { SqsServerClosedError, startSqsServer } from '@media-server/local-aws';
 *
 * const sqs = await startSqsServer();
 * await sqs.createQueue('jobs');
 * await sqs.stop();
 * const error = await sqs.sendMessage('jobs', 'too late').catch((e: unknown) => e);
 * console.log(error instanceof SqsServerClosedError); // true
 * ```
 */
export class SqsServerClosedError extends SqsServerError {
  /** The class name, `'SqsServerClosedError'`. */
  override readonly name: string = 'SqsServerClosedError';
  /** @param options `cause`, as for `Error`. */
  constructor(options?: ErrorOptions) {
    super('ServerClosed', 'The SQS server is stopped.', options);
  }
}

/** Shorthand for request validation errors. */
export function invalid(code: SqsErrorCode, message: string): InvalidSqsRequestError {
  return new InvalidSqsRequestError(code, message);
}

/** `InvalidParameterValue` for `name`, with AWS's wording. */
export function invalidParameter(name: string, value: unknown, reason: string): InvalidSqsRequestError {
  return invalid(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );
}

/** `MissingParameter` for `name`, with AWS's wording. */
export function missingParameter(name: string): InvalidSqsRequestError {
  return invalid('MissingParameter', `The request must contain the parameter ${name}.`);
}
