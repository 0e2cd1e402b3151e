import type { Message } from '@aws-sdk/client-sqs';
import type { QueueConsumerError } from './errors.ts';

/**
 * Why a message was made visible again: `'failure'` its handler threw (visible after the backoff);
 * `'timeout'` it ran past `handlerTimeoutMs`; `'stop'` `stop()` came before it finished (visible at once);
 * `'order'` a FIFO message held back because an earlier one of its group failed (visible at once).
 */
export type HandBackReason = 'failure' | 'timeout' | 'stop' | 'order';

/**
 * Events of {@link QueueConsumer}, with their listener arguments, as in
 * `consumer.on('failed', (message, error, info) => log(error))`. Useful on its own to type a listener
 * declared apart: `(...args: QueueConsumerEvents['failed']) => void`.
 */
export interface QueueConsumerEvents {
  /** A message was received (it holds a permit from now on). */
  received: [message: Message];
  /** A handler succeeded; the delete is queued. */
  processed: [message: Message, info: { durationMs: number }];
  /** A handler threw (or timed out). `permanent`: the error says retrying cannot help (see `isPermanentError`). */
  failed: [message: Message, error: unknown, info: { permanent: boolean; durationMs: number }];
  /** A message was made visible again after `visibilityTimeout` seconds. */
  handedBack: [message: Message, info: { visibilityTimeout: number; reason: HandBackReason }];
  /** A message was deleted from the queue. */
  deleted: [message: Message];
  /** A permanently failed message was sent to a dead-letter queue. */
  deadLettered: [message: Message, info: { queueUrl: string }];
  /** Something went wrong that the consumer survives (or, for QUEUE_NOT_FOUND / CREDENTIALS, stops on). */
  error: [error: QueueConsumerError];
  /** Nothing in flight and the last receive returned nothing. Emitted once per busy → idle change. */
  idle: [];
  /** A heartbeat batch extended `extended` messages. */
  heartbeat: [info: { extended: number }];
  /** A message reached `maxLifetimeMs` and is no longer extended. */
  lifetimeExceeded: [messageId: string];
  /** A cron tick was skipped (previous one still receiving, or no free permit). */
  tickSkipped: [];
  /** `start()` read the queue's attributes and polling began. */
  started: [];
  /** `stop()` finished: nothing is in flight, every delete and hand-back is sent. */
  stopped: [];
}
