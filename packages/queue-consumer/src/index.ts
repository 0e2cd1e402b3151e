export type { Backoff, BackoffOptions } from './backoff.ts';
export {
  BatchEntryError,
  CredentialsError,
  HandlerTimeoutError,
  isPermanentError,
  PermanentError,
  QueueConsumerError,
  type QueueConsumerErrorCode,
  QueueNotFoundError,
  S3EventParseError,
  type S3EventParseErrorCode,
} from './errors.ts';
export type { HandBackReason, QueueConsumerEvents } from './events.ts';
export type {
  BatchContext,
  BatchHandler,
  BatchHandlerResult,
  MessageContext,
  MessageHandler,
  PermanentFailureAction,
  QueueConsumerOptions,
  StopOptions,
} from './options.ts';
export { parseS3Event, type S3EventParseResult, type S3EventRecord } from './parse-s3-event.ts';
export { QueueConsumer, type QueueConsumerState } from './queue-consumer.ts';
