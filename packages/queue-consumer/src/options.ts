import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Semaphore } from '@media-server/semaphore';
import type { Backoff } from './backoff.ts';

/** What a {@link MessageHandler} gets besides the message. */
export interface MessageContext {
  /** Aborted on handler timeout (reason {@link HandlerTimeoutError}) or when `stop()`'s grace ends. */
  signal: AbortSignal;
  /** Sets the message's visibility timeout to `seconds` from now (the heartbeat keeps going after it). */
  extendVisibility(seconds: number): Promise<void>;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  receiveCount: number;
}

/**
 * Processes one message. Resolve = success (the message is deleted); throw = failure (handed back with
 * backoff); throw a {@link PermanentError} = never retried (see `onPermanentFailure`).
 */
export type MessageHandler = (message: Message, context: MessageContext) => Promise<void> | void;

/** What a {@link BatchHandler} gets besides the messages. */
export interface BatchContext {
  /** Aborted on handler timeout (reason {@link HandlerTimeoutError}) or when `stop()`'s grace ends. */
  signal: AbortSignal;
  /** Sets one message's visibility timeout to `seconds` from now. */
  extendVisibility(message: Message, seconds: number): Promise<void>;
}

/**
 * Result of a batch handler: resolve with nothing when every message succeeded, or list the ones that
 * failed (by MessageId). Throwing fails the whole batch.
 */
export interface BatchHandlerResult {
  /** The messages that failed, by `MessageId`, each with the error that decides retry or permanent failure. */
  failed: ReadonlyArray<{ messageId: string; error?: unknown }>;
}

/** Processes every message of one ReceiveMessage call (at most 10) at once. */
export type BatchHandler = (
  messages: Message[],
  context: BatchContext,
) => Promise<BatchHandlerResult | undefined> | BatchHandlerResult | undefined;

/**
 * What to do with a message whose handler threw a {@link PermanentError}:
 * `'delete'`; `{ deadLetterQueueUrl }` (send a copy there, then delete); or your function (then delete;
 * if it throws, the message is handed back with backoff instead).
 */
export type PermanentFailureAction =
  | 'delete'
  | { deadLetterQueueUrl: string }
  | ((message: Message, error: unknown) => Promise<void>);

/** Options of {@link QueueConsumer}. Give `handler` or `batchHandler`, and `concurrency` or `semaphore`. */
export interface QueueConsumerOptions {
  /** The SQS client (its region, endpoint and credentials are used as they are). */
  sqs: SQSClient;
  /** URL of the queue to consume. */
  queueUrl: string;
  /** Called once per message. */
  handler?: MessageHandler | undefined;
  /** Called once per received batch instead of `handler` (opt-in). */
  batchHandler?: BatchHandler | undefined;
  /** How many messages run at once (one permit each). Default 1. Ignored when `semaphore` is given. */
  concurrency?: number | undefined;
  /** A semaphore to take permits from (shared with other work if you like). Each message holds one permit. */
  semaphore?: Semaphore | undefined;
  /**
   * Messages to receive ahead of free handler slots (`handler` only). They wait in memory, kept invisible by
   * the heartbeat, and start in the order they arrived as slots free, so a busy consumer never waits for
   * SQS's answer (10–30 ms) between two messages. `stop()` hands the waiting ones back at once. Their
   * visibility timeout runs while they wait (the heartbeat extends it), and another consumer cannot get
   * them meanwhile: keep it small, about `concurrency`. Default 0: a message is received only for a free slot.
   */
  prefetch?: number | undefined;
  /**
   * A cron expression with seconds (package `cron`), for example `'*\/5 * * * * *'`: receive (short poll) on
   * each tick instead of long-polling continuously; a tick is skipped while the previous one is still
   * receiving or no permit is free. Default: none (continuous long polling).
   */
  schedule?: string | undefined;
  /** Time zone of `schedule`. Default: the process's. */
  timeZone?: string | undefined;
  /** Long-poll wait, seconds (0–20). Default 20. */
  waitTimeSeconds?: number | undefined;
  /**
   * Most long polls in flight at once: one per 10 free permits (on a drained queue, one per quarter of the
   * permits), up to this. Default `max(ceil(permits / 10), min(permits, 4))`.
   */
  pollers?: number | undefined;
  /** Visibility timeout asked for on receive and set by each heartbeat, seconds. Default: the queue's. */
  visibilityTimeout?: number | undefined;
  /** Extend a message's visibility while its handler runs. Default true. */
  heartbeat?: boolean | undefined;
  /** Extend when this fraction of the visibility timeout is left. Default 0.5. */
  heartbeatAt?: number | undefined;
  /** Stop extending a message this long after its receipt, ms. Default 43,200,000 (12 h, the SQS limit). */
  maxLifetimeMs?: number | undefined;
  /** Abort the handler's signal and hand the message back after this long, ms. Default: no limit. */
  handlerTimeoutMs?: number | undefined;
  /** Delay before a failed message is visible again, from its receive count. Default full jitter, 1 s base, 15 min cap. */
  backoff?: Backoff | undefined;
  /** What to do on {@link PermanentError}. Default: the queue's dead-letter queue (RedrivePolicy) if it has one, else `'delete'`. */
  onPermanentFailure?: PermanentFailureAction | undefined;
  /** How long a delete waits for others to share its DeleteMessageBatch, ms. Default 5. */
  deleteFlushMs?: number | undefined;
  /** Message attributes to receive. Default `['All']`. */
  messageAttributeNames?: string[] | undefined;
  /** Treat the queue as FIFO (one message per MessageGroupId at a time, in order). Default: URL ends with `.fifo`. */
  fifo?: boolean | undefined;
  /**
   * What `stop()` does with long polls in flight. `'abort'`: abort them at once (stop is quick, but SQS may
   * already have assigned a message to an aborted poll: that message stays invisible for its visibility
   * timeout, a known SQS behaviour). `'drain'`: let them return (within the grace period) and hand what they
   * bring back at once. Default `'abort'`.
   */
  pollsOnStop?: 'abort' | 'drain' | undefined;
  /** Default grace period of `stop()`, ms. Default 30,000. */
  stopGraceMs?: number | undefined;
  /**
   * After a handler's signal is aborted (the stop grace ended, or `handlerTimeoutMs`), how long to wait for
   * the handler to return before its message is handed back anyway, ms. The message goes back only once the
   * handler is gone, so the work it started (a child process) never overlaps with the next delivery's.
   * The heartbeat keeps the message invisible meanwhile. Default 10,000.
   */
  abortGraceMs?: number | undefined;
  /**
   * A hand-back that failed because SQS could not be reached (after the SQS client's own retries) is tried
   * again this often until SQS answers, so the message comes back when the outage ends rather than when
   * its visibility timeout runs out. Default 2,000 ms.
   */
  handBackRetryMs?: number | undefined;
}

/** Options of {@link QueueConsumer.stop}. */
export interface StopOptions {
  /**
   * How long running handlers may finish before their signals are aborted and messages handed back, ms.
   * Default: the consumer's `stopGraceMs` (30,000).
   */
  graceMs?: number | undefined;
}
