import { randomUUID } from 'node:crypto';
import {
  invalid,
  invalidParameter,
  QueueDoesNotExistError,
  SqsServerClosedError,
  type SqsServerError,
} from './errors.ts';
import { LongPollWaiters } from './long-poll.ts';
import { md5OfBody, md5OfMessageAttributes } from './md5.ts';
import { MessageMoveTasks } from './message-move-tasks.ts';
import type { MessageRecord, QueueRecord } from './model.ts';
import { type PreparedMessage, prepareSend, type SendEntry } from './prepare-send.ts';
import {
  FIFO_DEFAULTS,
  intAttribute,
  parseRedrivePolicy,
  STANDARD_DEFAULTS,
  validateQueueAttributes,
} from './queue-attributes.ts';
import { decodeReceiptHandle, encodeReceiptHandle, newReceiptToken } from './receipt-handle.ts';
import type { SqsStore } from './store.ts';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const DEDUP_WINDOW_MS = 5 * 60 * 1000;

/** What a successful send returns. */
export interface SendResult {
  messageId: string;
  md5Body: string;
  md5Attributes: string | undefined;
  md5SystemAttributes: string | undefined;
  sequenceNumber: string | undefined;
}

/** Options of one receive. */
export interface ReceiveOptions {
  maxMessages: number;
  visibilityTimeout: number | undefined;
  waitSeconds: number | undefined;
  signal?: AbortSignal | undefined;
}

/** A received message with its new receipt handle. */
export interface ReceivedMessage {
  message: MessageRecord;
  receiptHandle: string;
}

/** Settings of an engine. */
export interface SqsEngineSettings {
  accountId: string;
  region: string;
}

function sequenceNumberOf(seq: number): string {
  return String(seq).padStart(20, '0');
}

/**
 * The SQS semantics, independent of the wire protocol: queues, sends, receives with long polling,
 * visibility, dead-letter redrive and FIFO ordering/deduplication. Every mutating call commits its
 * transaction before it returns.
 */
export class SqsEngine {
  readonly store: SqsStore;
  readonly settings: SqsEngineSettings;
  readonly waiters: LongPollWaiters = new LongPollWaiters();
  readonly moveTasks: MessageMoveTasks;
  endpoint = '';
  #closed = false;
  readonly #sweeper: NodeJS.Timeout;

  constructor(store: SqsStore, settings: SqsEngineSettings) {
    this.store = store;
    this.settings = settings;
    this.moveTasks = new MessageMoveTasks(this);
    this.#sweeper = setInterval(() => this.sweep(), 10_000);
    this.#sweeper.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.waiters.closeAll();
  }

  #ensureOpen(): void {
    if (this.#closed) throw new SqsServerClosedError();
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/${this.settings.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.settings.region}:${this.settings.accountId}:${name}`;
  }

  /** The queue named by an ARN of this server, if it exists. */
  queueByArn(arn: string): QueueRecord | undefined {
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') return undefined;
    return this.store.queueByName(parts[5] as string);
  }

  /** Resolves a queue URL (`http://host/<account>/<name>`; any host and account accepted). */
  queueByUrl(url: string): QueueRecord {
    this.#ensureOpen();
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      path = url;
    }
    const name = path
      .split('/')
      .filter((part) => part !== '')
      .at(-1);
    const queue = name === undefined ? undefined : this.store.queueByName(decodeURIComponent(name));
    if (queue === undefined) throw new QueueDoesNotExistError();
    return queue;
  }

  queueByName(name: string): QueueRecord {
    this.#ensureOpen();
    const queue = this.store.queueByName(name);
    if (queue === undefined) throw new QueueDoesNotExistError();
    return queue;
  }

  /** CreateQueue: idempotent when the attributes match, `QueueAlreadyExists` when they differ. */
  createQueue(name: string, attributes: Record<string, string>, tags: Record<string, string>): QueueRecord {
    this.#ensureOpen();
    const fifo = name.endsWith('.fifo');
    if (!(fifo ? FIFO_QUEUE_NAME : QUEUE_NAME).test(name)) {
      throw invalid(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    if (fifo && attributes.FifoQueue !== 'true') {
      throw invalid(
        'InvalidParameterValue',
        'The name of a FIFO queue must be used with the FifoQueue attribute set to true.',
      );
    }
    const validated = validateQueueAttributes(attributes, fifo, (arn) => this.queueByArn(arn), true);
    const full = { ...STANDARD_DEFAULTS, ...(fifo ? FIFO_DEFAULTS : {}), ...validated };
    return this.store.transaction(() => {
      const existing = this.store.queueByName(name);
      if (existing !== undefined) {
        for (const [key, value] of Object.entries(validated)) {
          if (existing.attributes[key] !== value) {
            throw invalid(
              'QueueNameExists',
              `A queue already exists with the same name and a different value for attribute ${key}`,
            );
          }
        }
        return existing;
      }
      const now = Date.now();
      return this.store.insertQueue({ name, fifo, attributes: full, tags, createdAt: now, modifiedAt: now });
    });
  }

  setQueueAttributes(queue: QueueRecord, attributes: Record<string, string>): void {
    const validated = validateQueueAttributes(attributes, queue.fifo, (arn) => this.queueByArn(arn), false);
    const merged = { ...queue.attributes, ...validated };
    if (validated.RedrivePolicy === '' || attributes.RedrivePolicy === '') delete merged.RedrivePolicy;
    this.store.transaction(() => this.store.updateQueueAttributes(queue.id, merged, Date.now()));
    this.waiters.notify(queue.id);
  }

  deleteQueue(queue: QueueRecord): void {
    this.store.deleteQueue(queue.id);
    this.waiters.notify(queue.id);
  }

  purgeQueue(queue: QueueRecord): void {
    this.store.transaction(() => this.store.purgeQueue(queue.id));
  }

  /** Validates and stores messages in one transaction; per-entry errors are returned in place. */
  sendMessages(queue: QueueRecord, entries: readonly SendEntry[]): Array<SendResult | SqsServerError> {
    this.#ensureOpen();
    const maxSize = intAttribute(queue.attributes, 'MaximumMessageSize');
    const prepared = entries.map((entry) => {
      try {
        return prepareSend(queue, entry, maxSize);
      } catch (error) {
        return error as SqsServerError;
      }
    });
    const now = Date.now();
    const results = this.store.transaction(() =>
      prepared.map((item): SendResult | SqsServerError => {
        if (item instanceof Error) return item;
        return this.#insert(queue, item, now);
      }),
    );
    const sent = results.filter((result) => !(result instanceof Error)).length;
    if (sent > 0) this.waiters.notify(queue.id, sent);
    return results;
  }

  #insert(queue: QueueRecord, item: PreparedMessage, now: number): SendResult {
    const md5Body = md5OfBody(item.body);
    const md5Attributes = md5OfMessageAttributes(item.messageAttributes);
    const md5SystemAttributes = md5OfMessageAttributes(item.systemAttributes);
    if (queue.fifo && item.dedupId !== undefined) {
      const key =
        queue.attributes.DeduplicationScope === 'messageGroup'
          ? `${item.groupId}\u0000${item.dedupId}`
          : item.dedupId;
      const existing = this.store.dedupEntry(queue.id, key, now);
      if (existing !== undefined) {
        return {
          messageId: existing.messageId,
          md5Body,
          md5Attributes,
          md5SystemAttributes,
          sequenceNumber: sequenceNumberOf(existing.seq),
        };
      }
      const messageId = randomUUID();
      const seq = this.#insertRow(queue, item, messageId, md5Body, md5Attributes, md5SystemAttributes, now);
      this.store.putDedupEntry(queue.id, key, messageId, seq, now + DEDUP_WINDOW_MS);
      return {
        messageId,
        md5Body,
        md5Attributes,
        md5SystemAttributes,
        sequenceNumber: sequenceNumberOf(seq),
      };
    }
    const messageId = randomUUID();
    const seq = this.#insertRow(queue, item, messageId, md5Body, md5Attributes, md5SystemAttributes, now);
    return {
      messageId,
      md5Body,
      md5Attributes,
      md5SystemAttributes,
      sequenceNumber: queue.fifo ? sequenceNumberOf(seq) : undefined,
    };
  }

  #insertRow(
    queue: QueueRecord,
    item: PreparedMessage,
    messageId: string,
    md5Body: string,
    md5Attributes: string | undefined,
    md5SystemAttributes: string | undefined,
    now: number,
  ): number {
    return this.store.insertMessage({
      queueId: queue.id,
      id: messageId,
      body: item.body,
      messageAttributes: item.messageAttributes,
      systemAttributes: item.systemAttributes,
      md5Body,
      md5Attributes,
      md5SystemAttributes,
      sentAt: now,
      visibleAt: now + item.delayMs,
      receiveCount: 0,
      firstReceiveAt: undefined,
      lastReceiveAt: undefined,
      receipt: undefined,
      groupId: item.groupId,
      dedupId: item.dedupId,
      deadLetterSourceArn: undefined,
    });
  }

  /** ReceiveMessage: returns at once when messages are visible, else long-polls up to `waitSeconds`. */
  async receive(queueName: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const first = this.queueByName(queueName);
    const wait = options.waitSeconds ?? intAttribute(first.attributes, 'ReceiveMessageWaitTimeSeconds');
    const deadline = Date.now() + wait * 1000;
    // Woken by a send, this receive owes the wake to another waiter if it cannot use it (aborted) or if it
    // took a full batch (more may be left): a send wakes one waiter per message, not all of them.
    let notified = false;
    for (;;) {
      if (this.#closed || options.signal?.aborted === true) {
        if (notified) this.waiters.notify(first.id, 1);
        return [];
      }
      const queue = this.store.queueByName(queueName);
      if (queue === undefined || queue.id !== first.id) return [];
      const received = this.receiveNow(queue, options);
      const now = Date.now();
      if (received.length > 0 || now >= deadline) {
        if (notified && received.length >= options.maxMessages) this.waiters.notify(queue.id, 1);
        return received;
      }
      const next = this.store.nextVisibleAt(queue.id, now);
      notified = await this.waiters.wait(queue.id, Math.min(deadline, next ?? deadline), options.signal);
    }
  }

  /** One receive attempt without waiting (a single transaction). */
  receiveNow(queue: QueueRecord, options: ReceiveOptions): ReceivedMessage[] {
    const now = Date.now();
    const visibilityMs =
      (options.visibilityTimeout ?? intAttribute(queue.attributes, 'VisibilityTimeout')) * 1000;
    const retentionMs = intAttribute(queue.attributes, 'MessageRetentionPeriod') * 1000;
    const redrive =
      queue.attributes.RedrivePolicy === undefined
        ? undefined
        : parseRedrivePolicy(queue.attributes.RedrivePolicy);
    const deadLetterQueue = redrive === undefined ? undefined : this.queueByArn(redrive.deadLetterTargetArn);
    const received: ReceivedMessage[] = [];
    let movedToDeadLetter = false;
    this.store.transaction(() => {
      let cursorVisibleAt = Number.MIN_SAFE_INTEGER;
      let cursorSeq = 0;
      while (received.length < options.maxMessages) {
        const want = options.maxMessages - received.length;
        const candidates = queue.fifo
          ? this.store.visibleFifoMessages(queue.id, now, want, cursorSeq)
          : this.store.visibleMessages(queue.id, now, want, cursorVisibleAt, cursorSeq);
        if (candidates.length === 0) break;
        for (const message of candidates) {
          cursorVisibleAt = message.visibleAt;
          cursorSeq = message.seq;
          if (received.length >= options.maxMessages) break;
          if (message.sentAt + retentionMs <= now) {
            this.store.deleteMessage(message.seq);
            continue;
          }
          if (
            redrive !== undefined &&
            deadLetterQueue !== undefined &&
            message.receiveCount >= redrive.maxReceiveCount
          ) {
            this.store.moveMessage(message.seq, deadLetterQueue.id, now, this.queueArn(queue.name));
            movedToDeadLetter = true;
            continue;
          }
          const token = newReceiptToken();
          this.store.markReceived(message.seq, now + visibilityMs, token, now);
          received.push({
            message: {
              ...message,
              receiveCount: message.receiveCount + 1,
              firstReceiveAt: message.firstReceiveAt ?? now,
              lastReceiveAt: now,
              receipt: token,
              sequenceNumber: queue.fifo ? sequenceNumberOf(message.seq) : undefined,
            },
            receiptHandle: encodeReceiptHandle({ queueId: queue.id, seq: message.seq, token }),
          });
        }
        if (candidates.length < want) break;
      }
    });
    if (movedToDeadLetter && deadLetterQueue !== undefined) this.waiters.notify(deadLetterQueue.id);
    return received;
  }

  /**
   * DeleteMessage. A malformed handle, or one of another queue, is `ReceiptHandleIsInvalid`. A well-formed
   * handle of a message already deleted succeeds (idempotent). A stale handle (the message was received again
   * since) succeeds without deleting, as AWS documents: only the latest receipt handle deletes.
   */
  deleteMessage(queue: QueueRecord, receiptHandle: string): void {
    const handle = decodeReceiptHandle(receiptHandle);
    if (handle.queueId !== queue.id) {
      throw invalid(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    this.store.transaction(() => this.store.deleteReceived(queue.id, handle.seq, handle.token));
    // A FIFO group is blocked while one of its messages is in flight: a delete frees the group.
    if (queue.fifo) this.waiters.notify(queue.id);
  }

  /** Makes messages received by a reply that never reached its client visible again (if still theirs). */
  releaseReceived(queue: QueueRecord, received: readonly ReceivedMessage[]): void {
    if (this.#closed) return;
    this.store.transaction(() => {
      const now = Date.now();
      for (const { message } of received) {
        const current = this.store.messageBySeq(message.seq);
        if (current?.queueId === queue.id && current.receipt === message.receipt && current.visibleAt > now) {
          this.store.setVisibleAt(message.seq, now);
        }
      }
    });
    this.waiters.notify(queue.id);
  }

  /**
   * ChangeMessageVisibility. Like AWS: the message must be in flight under this (latest) receipt handle,
   * else `InvalidParameterValue` ("Message does not exist or is not available for visibility timeout
   * change"); the new timeout counts from now and may not take the message past 12 hours since its receive.
   */
  changeVisibility(queue: QueueRecord, receiptHandle: string, visibilityTimeout: number): void {
    const handle = decodeReceiptHandle(receiptHandle);
    if (handle.queueId !== queue.id) {
      throw invalid(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    this.store.transaction(() => {
      const now = Date.now();
      const message = this.store.messageBySeq(handle.seq);
      if (
        message === undefined ||
        message.queueId !== queue.id ||
        message.receipt !== handle.token ||
        message.visibleAt <= now
      ) {
        throw invalidParameter(
          'ReceiptHandle',
          receiptHandle,
          'Message does not exist or is not available for visibility timeout change.',
        );
      }
      const visibleAt = now + visibilityTimeout * 1000;
      if (message.lastReceiveAt !== undefined && visibleAt - message.lastReceiveAt > 43_200_000) {
        throw invalidParameter(
          'VisibilityTimeout',
          visibilityTimeout,
          'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
        );
      }
      this.store.setVisibleAt(handle.seq, visibleAt);
    });
    this.waiters.notify(queue.id);
  }

  /** ApproximateNumberOf* counts. */
  counts(queue: QueueRecord): { visible: number; notVisible: number; delayed: number } {
    return this.store.counts(queue.id, Date.now());
  }

  /** Drops messages past their retention period and expired deduplication entries. */
  sweep(): void {
    if (this.#closed) return;
    const now = Date.now();
    this.store.transaction(() => {
      for (const queue of this.store.listQueues()) {
        this.store.deleteSentBefore(
          queue.id,
          now - intAttribute(queue.attributes, 'MessageRetentionPeriod') * 1000,
        );
      }
      this.store.sweepDedup(now);
    });
  }
}
