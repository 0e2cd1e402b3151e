export {
  InvalidSqsRequestError,
  QueueDoesNotExistError,
  type SqsErrorCode,
  SqsServerClosedError,
  SqsServerError,
} from './errors.ts';
export {
  type SqsMessageAttribute,
  type SqsServer,
  type SqsServerOptions,
  startSqsServer,
} from './start-sqs-server.ts';
