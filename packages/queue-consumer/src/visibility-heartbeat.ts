import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchEntryError, QueueConsumerError } from './errors.ts';

/** Options of {@link VisibilityHeartbeat}. */
export interface VisibilityHeartbeatOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** Visibility timeout each extension sets, seconds. */
  visibilityTimeoutSec: number;
  /** No extension past this age of a message (from its receipt), ms. */
  maxLifetimeMs: number;
  /** Extend automatically (false: only {@link VisibilityHeartbeat.extend} calls change visibility). Default true. */
  automatic?: boolean | undefined;
  /** Extend when this fraction of the visibility timeout is left. Default 0.5. */
  extendAtFraction?: number | undefined;
  /** After each batch: how many messages were extended. */
  onHeartbeat?: ((extended: number) => void) | undefined;
  /** A message reached `maxLifetimeMs`: it will not be extended again. */
  onLifetimeExceeded?: ((messageId: string) => void) | undefined;
  onError?: ((error: QueueConsumerError) => void) | undefined;
}

interface Entry {
  messageId: string;
  receiptHandle: string;
  receivedAt: number;
  visibleUntil: number;
  /** Not before this time (after a failed extension), ms epoch. */
  retryAt: number;
  /** The request that is changing this message's visibility now, if any. */
  busy: Promise<unknown> | undefined;
}

/** SQS entry errors that mean this receipt no longer owns the message: retrying cannot help. */
const LOST = new Set([
  'ReceiptHandleIsInvalid',
  'MessageNotInflight',
  'AWS.SimpleQueueService.MessageNotInflight',
]);

/**
 * Keeps in-flight messages invisible while their handlers run: one timer for the earliest message that
 * needs it, then one ChangeMessageVisibilityBatch per 10 messages that are due (or nearly due). A message
 * is never extended past `maxLifetimeMs` after its receipt. {@link untrack} removes a message and waits for
 * a request already carrying it, so a delete or hand-back that follows can never be overtaken by a
 * heartbeat (and a heartbeat failure for an untracked message is never reported).
 */
export class VisibilityHeartbeat {
  readonly #o: VisibilityHeartbeatOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #fraction: number;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(options: VisibilityHeartbeatOptions) {
    this.#o = options;
    this.#fraction = options.extendAtFraction ?? 0.5;
  }

  /** Messages tracked. */
  get size(): number {
    return this.#entries.size;
  }

  /** Starts tracking a message received at `receivedAt` (ms epoch) and invisible until `visibleUntil`. */
  track(messageId: string, receiptHandle: string, receivedAt: number, visibleUntil: number): void {
    this.#entries.set(receiptHandle, {
      messageId,
      receiptHandle,
      receivedAt,
      visibleUntil,
      retryAt: 0,
      busy: undefined,
    });
    this.#schedule();
  }

  /** Stops tracking; resolves once no visibility request for the message is in flight. */
  async untrack(receiptHandle: string): Promise<void> {
    const entry = this.#entries.get(receiptHandle);
    if (!entry) return;
    this.#entries.delete(receiptHandle);
    while (entry.busy) await entry.busy.catch(() => {});
  }

  /** Sets the message's visibility to `seconds` from now (the handler's `extendVisibility`). */
  async extend(receiptHandle: string, seconds: number): Promise<void> {
    const entry = this.#entries.get(receiptHandle);
    if (!entry) throw new QueueConsumerError('CHANGE_VISIBILITY_FAILED', 'message is no longer in flight');
    while (entry.busy) await entry.busy.catch(() => {});
    const startedAt = Date.now();
    const request = this.#o.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#o.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.round(seconds)),
      }),
    );
    entry.busy = request;
    try {
      await request;
      entry.visibleUntil = startedAt + Math.round(seconds) * 1000;
    } catch (error) {
      throw new QueueConsumerError(
        'CHANGE_VISIBILITY_FAILED',
        `could not extend message ${entry.messageId}`,
        {
          cause: error,
        },
      );
    } finally {
      entry.busy = undefined;
      this.#schedule();
    }
  }

  /** Stops the timer and waits for requests in flight. Tracked messages are forgotten. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const busy = [...this.#entries.values()].map((e) => e.busy);
    this.#entries.clear();
    await Promise.allSettled(busy);
  }

  #dueAt(entry: Entry): number {
    return Math.max(entry.retryAt, entry.visibleUntil - this.#o.visibilityTimeoutSec * 1000 * this.#fraction);
  }

  #schedule(): void {
    if (this.#stopped || this.#o.automatic === false) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries.values()) {
      if (!entry.busy) earliest = Math.min(earliest, this.#dueAt(entry));
    }
    if (earliest === Number.POSITIVE_INFINITY) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = earliest;
      return;
    }
    if (this.#timer && this.#timerAt <= earliest) return;
    clearTimeout(this.#timer);
    this.#timerAt = earliest;
    this.#timer = setTimeout(() => this.#beat(), Math.max(0, earliest - Date.now()));
  }

  #beat(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const vis = this.#o.visibilityTimeoutSec;
    const slack = vis * 1000 * this.#fraction * 0.5;
    const due: Array<{ entry: Entry; seconds: number }> = [];
    for (const entry of [...this.#entries.values()]) {
      if (entry.busy || this.#dueAt(entry) > now + slack) continue;
      const seconds = Math.min(vis, Math.floor((entry.receivedAt + this.#o.maxLifetimeMs - now) / 1000));
      if (seconds <= 0 || now + seconds * 1000 <= entry.visibleUntil) {
        // Extending would not move the deadline: the message reached its maximum lifetime.
        this.#entries.delete(entry.receiptHandle);
        this.#o.onLifetimeExceeded?.(entry.messageId);
        continue;
      }
      due.push({ entry, seconds });
    }
    for (let i = 0; i < due.length; i += 10) this.#sendBatch(due.slice(i, i + 10), now);
    this.#schedule();
  }

  #sendBatch(batch: Array<{ entry: Entry; seconds: number }>, sentAt: number): void {
    const request = this.#o.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: this.#o.queueUrl,
        Entries: batch.map(({ entry, seconds }, i) => ({
          Id: `m${i}`,
          ReceiptHandle: entry.receiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
    const settled = request.then(
      (out) => {
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
        let extended = 0;
        batch.forEach(({ entry, seconds }, i) => {
          const failure = failed.get(`m${i}`);
          const tracked = this.#entries.get(entry.receiptHandle) === entry;
          if (!failure) {
            entry.visibleUntil = sentAt + seconds * 1000;
            entry.retryAt = 0;
            extended++;
          } else if (tracked && LOST.has(failure.Code ?? '')) {
            this.#entries.delete(entry.receiptHandle);
            this.#o.onError?.(
              new BatchEntryError(
                'HEARTBEAT_FAILED',
                entry.messageId,
                failure.Code ?? '',
                failure.Message ?? '',
              ),
            );
          } else if (tracked) {
            entry.retryAt = Date.now() + 1000;
          }
        });
        this.#o.onHeartbeat?.(extended);
      },
      (error: unknown) => {
        if (batch.some(({ entry }) => this.#entries.get(entry.receiptHandle) === entry)) {
          this.#o.onError?.(
            new QueueConsumerError('HEARTBEAT_FAILED', 'ChangeMessageVisibilityBatch failed', {
              cause: error,
            }),
          );
        }
        // The SQS client has retried this call already: try again at the next beat, half-way to the
        // visibility deadline (at least 1 s away), not in a tight loop on top of the client's retries.
        const now = Date.now();
        for (const { entry } of batch) entry.retryAt = now + Math.max(1000, (entry.visibleUntil - now) / 2);
      },
    );
    for (const { entry } of batch) entry.busy = settled;
    void settled.finally(() => {
      for (const { entry } of batch) if (entry.busy === settled) entry.busy = undefined;
      this.#schedule();
    });
  }
}
