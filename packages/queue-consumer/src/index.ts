export { type Backoff, type BackoffOptions, backoffSeconds, computeBackoffMs } from './backoff.ts';
export { DeleteBatcher, type DeleteBatcherOptions, type DeleteEntry } from './delete-batcher.ts';
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
export { decodeS3Key, parseS3Event, type S3EventParseResult, type S3EventRecord } from './parse-s3-event.ts';
export { QueueConsumer, type QueueConsumerState } from './queue-consumer.ts';
export { type EventMap, type Listener, TypedEventEmitter } from './typed-event-emitter.ts';
export { VisibilityHeartbeat, type VisibilityHeartbeatOptions } from './visibility-heartbeat.ts';
