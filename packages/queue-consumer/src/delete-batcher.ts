import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sleep } from './aws-errors.ts';
import { BatchEntryError, QueueConsumerError } from './errors.ts';

/** A message to delete. */
export interface DeleteEntry {
  messageId: string;
  receiptHandle: string;
}

/** Options of {@link DeleteBatcher}. */
export interface DeleteBatcherOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** How long the first entry of a batch waits for company before the batch is sent, ms. Default 5. */
  flushMs?: number | undefined;
  /**
   * Attempts per entry that SQS refused inside a successful batch call with a server-side error (first one
   * included) before it is reported. Default 4. A failed call is not retried here: the SQS client has
   * already retried it (its `maxAttempts`), and a second layer would multiply the attempts.
   */
  maxAttempts?: number | undefined;
  /** Called once per message that was deleted. */
  onDeleted?: ((entry: DeleteEntry) => void) | undefined;
  /** Called once per message that could not be deleted after its attempts. */
  onError?: ((error: QueueConsumerError, entry: DeleteEntry) => void) | undefined;
}

interface Pending extends DeleteEntry {
  attempts: number;
  resolve(deleted: boolean): void;
}

/**
 * Deletes messages with DeleteMessageBatch: a batch goes out when it holds 10 entries or `flushMs` after
 * its first entry. Entries that SQS refuses with a server-side error are retried with a short backoff
 * (the SQS client never retries single entries); entries that still fail are reported to `onError` (an
 * error a sender caused, such as an expired receipt handle, is reported at once). A call that fails as a
 * whole has been retried by the SQS client already and is reported at once.
 */
export class DeleteBatcher {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #flushMs: number;
  readonly #maxAttempts: number;
  readonly #onDeleted: ((entry: DeleteEntry) => void) | undefined;
  readonly #onError: ((error: QueueConsumerError, entry: DeleteEntry) => void) | undefined;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: DeleteBatcherOptions) {
    this.#sqs = options.sqs;
    this.#queueUrl = options.queueUrl;
    this.#flushMs = options.flushMs ?? 5;
    this.#maxAttempts = options.maxAttempts ?? 4;
    this.#onDeleted = options.onDeleted;
    this.#onError = options.onError;
  }

  /** Entries queued or being sent. */
  get size(): number {
    return this.#queue.length + this.#inFlight.size;
  }

  /** Queues a delete; resolves `true` once deleted, `false` if it failed for good (after `onError`). */
  delete(entry: DeleteEntry): Promise<boolean> {
    return new Promise((resolve) => {
      this.#enqueue({ ...entry, attempts: 0, resolve });
    });
  }

  /** Sends everything queued now and resolves when every queued and in-flight entry has settled. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      this.#sendQueued();
      await Promise.all([...this.#inFlight]);
    }
  }

  #enqueue(pending: Pending): void {
    this.#queue.push(pending);
    if (this.#queue.length >= 10) this.#immediate ??= setImmediate(() => this.#sendFull());
    else this.#timer ??= setTimeout(() => this.#sendQueued(), this.#flushMs);
  }

  /** Sends the full batches; the rest waits for the flush timer (started by its first entry). */
  #sendFull(): void {
    this.#immediate = undefined;
    while (this.#queue.length >= 10) this.#sendBatch(this.#queue.splice(0, 10));
    // The rest waits `flushMs` from now for company, as a first entry does.
    clearTimeout(this.#timer);
    this.#timer = this.#queue.length === 0 ? undefined : setTimeout(() => this.#sendQueued(), this.#flushMs);
  }

  #sendQueued(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    while (this.#queue.length > 0) this.#sendBatch(this.#queue.splice(0, 10));
  }

  #sendBatch(batch: Pending[]): void {
    const sending = this.#send(batch).finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  async #send(batch: Pending[]): Promise<void> {
    const retry: Pending[] = [];
    try {
      const out = await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((p, i) => ({ Id: `m${i}`, ReceiptHandle: p.receiptHandle })),
        }),
      );
      for (const ok of out.Successful ?? []) {
        const p = batch[Number(ok.Id?.slice(1))];
        if (!p) continue;
        this.#onDeleted?.(p);
        p.resolve(true);
      }
      for (const failed of out.Failed ?? []) {
        const p = batch[Number(failed.Id?.slice(1))];
        if (!p) continue;
        p.attempts++;
        if (!failed.SenderFault && p.attempts < this.#maxAttempts) retry.push(p);
        else
          this.#fail(
            p,
            new BatchEntryError('DELETE_FAILED', p.messageId, failed.Code ?? '', failed.Message ?? ''),
          );
      }
    } catch (error) {
      for (const p of batch) {
        this.#fail(
          p,
          new QueueConsumerError('DELETE_FAILED', `could not delete message ${p.messageId}`, {
            cause: error,
            messageId: p.messageId,
          }),
        );
      }
    }
    if (retry.length === 0) return;
    const attempt = Math.max(...retry.map((p) => p.attempts));
    await sleep(50 * 2 ** attempt);
    for (const p of retry) this.#enqueue(p);
  }

  #fail(p: Pending, error: QueueConsumerError): void {
    this.#onError?.(error, p);
    p.resolve(false);
  }
}
