export {
  InvalidConfigurationError,
  LocalAwsError,
  type LocalAwsErrorCode,
  NotificationDeliveryError,
  PortInUseError,
} from './local-aws-error.ts';
export {
  buildS3TestEvent,
  type S3EventNotification,
  type S3EventRecord,
  type S3ObjectCreatedEventName,
  type S3TestEvent,
} from './s3-event.ts';
export { decodeS3EventKey, encodeS3EventKey } from './s3-event-key.ts';
export type { S3NotificationConfig } from './s3-notification-rule.ts';
export {
  InvalidSqsRequestError,
  QueueDoesNotExistError,
  type SqsErrorCode,
  type SqsMessageAttribute,
  type SqsServer,
  SqsServerClosedError,
  SqsServerError,
  type SqsServerOptions,
  startSqsServer,
} from './sqs/index.ts';
export {
  LOCAL_AWS_CREDENTIALS,
  type LocalAws,
  type LocalAwsClientConfig,
  type LocalAwsCredentials,
  type LocalAwsOptions,
  type LocalAwsQueueConfig,
  startLocalAws,
} from './start-local-aws.ts';
