import {
  GetQueueAttributesCommand,
  type Message,
  type MessageSystemAttributeName,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Permit, Semaphore } from '@media-server/semaphore';
import { fatalAwsError, sleep } from './aws-errors.ts';
import { backoffSeconds } from './backoff.ts';
import { CronReceiver } from './cron-receiver.ts';
import { deadLetterTargetArn, queueUrlFromArn, sendToDeadLetterQueue } from './dead-letter.ts';
import { DeleteBatcher } from './delete-batcher.ts';
import { HandlerTimeoutError, isPermanentError, QueueConsumerError } from './errors.ts';
import type { HandBackReason, QueueConsumerEvents } from './events.ts';
import { FifoGroupGate } from './fifo-group-gate.ts';
import { handBack, handBackBatch } from './hand-back.ts';
import type { MessageContext, QueueConsumerOptions, StopOptions } from './options.ts';
import { defaultPollers, ReceiveLoop } from './receive-loop.ts';
import { TypedEventEmitter } from './typed-event-emitter.ts';
import { validateOptions } from './validate-options.ts';
import { VisibilityHeartbeat } from './visibility-heartbeat.ts';

/**
 * Lifecycle of a {@link QueueConsumer}: `'new'` → `start()` → `'starting'` → `'running'` → `stop()` →
 * `'stopping'` → `'stopped'` (also straight from `'starting'` when `start()` fails). A stopped consumer cannot start again.
 */
export type QueueConsumerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

interface InFlight {
  message: Message;
  messageId: string;
  receiptHandle: string;
  permit: Permit;
  controller: AbortController;
  receiveCount: number;
  groupId: string | undefined;
  /** waiting: for its FIFO group; running: handler called; settled: outcome handled; handedBack: by stop/timeout. */
  state: 'waiting' | 'running' | 'settled' | 'handedBack';
  /** Started through the FIFO gate (so it must leave the gate when done). */
  holdsGroup: boolean;
  /** Received ahead of a free handler slot (`prefetch`); waits for one in `state: 'waiting'`. */
  prefetched?: boolean;
  startedAt: number;
  /** Resolves when the handler has returned (or at once if it never ran). */
  returned: PromiseWithResolvers<void>;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

/** A hand-back that failed because SQS could not be reached: tried again once it answers. */
interface PendingHandBack {
  record: InFlight;
  /** When the message was meant to become visible, ms epoch. */
  visibleAt: number;
  reason: HandBackReason;
}

const SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = [
  'ApproximateReceiveCount',
  'MessageGroupId',
  'SequenceNumber',
  'SentTimestamp',
];

/**
 * SQS consumer: receives only as many messages as it has free permits, keeps their visibility extended
 * while handlers run, deletes successes in batches, hands failures back with backoff, and on `stop()`
 * hands every unfinished message back at once. Delivery is at-least-once: make handlers idempotent.
 *
 * A handler that resolves has processed its message (it is deleted); one that throws has failed (the message
 * comes back after `backoff`); one that throws a {@link PermanentError} goes to `onPermanentFailure`.
 * Nothing is ever written to the console: listen to `error` (see {@link QueueConsumerEvents}).
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { PermanentError, QueueConsumer } from '@media-server/queue-consumer';
 *
 * const consumer = new QueueConsumer({
 *   sqs: new SQSClient({}),
 *   queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
 *   concurrency: 4,
 *   handler: async (message, { signal }) => {
 *     const job = JSON.parse(message.Body ?? '{}') as { url?: string };
 *     if (job.url === undefined) throw new PermanentError('no url in the message'); // never retried
 *     await fetch(job.url, { signal }); // a throw here hands the message back with backoff
 *   },
 * });
 * consumer.on('error', (error) => console.warn(error.code, error.message));
 * await consumer.start();
 * process.once('SIGTERM', () => void consumer.stop({ graceMs: 20_000 }));
 * ```
 */
export class QueueConsumer {
  readonly #events = new TypedEventEmitter<QueueConsumerEvents>();
  readonly #o: QueueConsumerOptions;
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #semaphore: Semaphore;
  /** Permits for messages held (running or prefetched); the run semaphore itself without prefetch. */
  readonly #holdSemaphore: Semaphore;
  readonly #fifo: boolean;
  readonly #gate = new FifoGroupGate<InFlight>();
  readonly #inFlight = new Set<InFlight>();
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #finishWaiters: Array<() => void> = [];
  readonly #deleter: DeleteBatcher;
  #heartbeat: VisibilityHeartbeat | undefined;
  #receiver: ReceiveLoop | CronReceiver | undefined;
  #visibilityTimeout = 30;
  #deadLetterArn: string | undefined;
  #deadLetterUrl: Promise<string> | undefined;
  #state: QueueConsumerState = 'new';
  #startPromise: Promise<void> | undefined;
  #stopPromise: Promise<void> | undefined;
  #lastReceiveEmpty = false;
  #idleEmitted = false;
  readonly #pendingHandBacks = new Map<string, PendingHandBack>();
  #handBackRetryTimer: NodeJS.Timeout | undefined;

  /**
   * Checks the options; nothing is sent to SQS before {@link QueueConsumer.start}.
   * @throws {@link QueueConsumerError} with code `INVALID_OPTIONS` when the options contradict each other
   *   or a number is out of range.
   */
  constructor(options: QueueConsumerOptions) {
    validateOptions(options);
    this.#o = options;
    this.#sqs = options.sqs;
    this.#queueUrl = options.queueUrl;
    this.#semaphore = options.semaphore ?? new Semaphore(options.concurrency ?? 1);
    this.#holdSemaphore = options.prefetch
      ? new Semaphore(this.#semaphore.permits + options.prefetch)
      : this.#semaphore;
    this.#fifo = options.fifo ?? options.queueUrl.endsWith('.fifo');
    this.#deleter = new DeleteBatcher({
      sqs: this.#sqs,
      queueUrl: this.#queueUrl,
      flushMs: options.deleteFlushMs,
      onError: (error) => this.#events.emit('error', error),
    });
  }

  /**
   * Adds a listener of `event`; returns a function that removes it. A listener that throws is reported as
   * a process warning and never breaks the consumer or the other listeners.
   */
  on<E extends keyof QueueConsumerEvents>(
    event: E,
    listener: (...args: QueueConsumerEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Adds a listener called at most once; returns a function that removes it. */
  once<E extends keyof QueueConsumerEvents>(
    event: E,
    listener: (...args: QueueConsumerEvents[E]) => void,
  ): () => void {
    return this.#events.once(event, listener);
  }

  /** Removes a listener added with {@link QueueConsumer.on} (the function `on` returned does the same). */
  off<E extends keyof QueueConsumerEvents>(
    event: E,
    listener: (...args: QueueConsumerEvents[E]) => void,
  ): void {
    this.#events.off(event, listener);
  }

  /** Where the consumer is in its life. */
  get state(): QueueConsumerState {
    return this.#state;
  }

  /** Messages received and not yet finished (running, waiting for their FIFO group, or being handed back). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The semaphore messages take permits from. */
  get semaphore(): Semaphore {
    return this.#semaphore;
  }

  /**
   * Reads the queue's attributes (visibility timeout, redrive policy) and starts polling at the same time
   * (messages received before the attributes are in wait for them); resolves once they are read. Rejects with
   * {@link QueueNotFoundError} or {@link CredentialsError} when the queue or the credentials are wrong,
   * and with a `START_FAILED` error when SQS cannot be reached.
   */
  start(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      return Promise.reject(new QueueConsumerError('STOPPED', 'a stopped consumer cannot be started again'));
    }
    this.#startPromise ??= this.#start();
    return this.#startPromise;
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    const attributesRead = this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#queueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      }),
    );
    // Continuous polling starts with the attribute read, one round trip earlier; what it receives meanwhile
    // is dispatched once the start is settled (and handed back if the start failed).
    if (!this.#o.schedule) this.#startReceiver();
    let attributes: Record<string, string>;
    try {
      attributes = (await attributesRead).Attributes ?? {};
    } catch (error) {
      this.#state = 'stopped';
      await (this.#receiver as ReceiveLoop | undefined)?.stop();
      throw (
        fatalAwsError(error, this.#queueUrl) ??
        new QueueConsumerError('START_FAILED', `cannot read attributes of ${this.#queueUrl}`, {
          cause: error,
        })
      );
    }
    this.#visibilityTimeout = this.#o.visibilityTimeout ?? Number(attributes.VisibilityTimeout ?? 30);
    this.#deadLetterArn = deadLetterTargetArn(attributes.RedrivePolicy);
    this.#heartbeat = new VisibilityHeartbeat({
      sqs: this.#sqs,
      queueUrl: this.#queueUrl,
      visibilityTimeoutSec: this.#visibilityTimeout,
      maxLifetimeMs: this.#o.maxLifetimeMs ?? 43_200_000,
      automatic: this.#o.heartbeat ?? true,
      extendAtFraction: this.#o.heartbeatAt,
      onHeartbeat: (extended) => this.#events.emit('heartbeat', { extended }),
      onLifetimeExceeded: (messageId) => this.#events.emit('lifetimeExceeded', messageId),
      onError: (error) => this.#events.emit('error', error),
    });
    this.#state = 'running';
    if (this.#o.schedule) this.#startReceiver();
    this.#events.emit('started');
  }

  #startReceiver(): void {
    const common = {
      semaphore: this.#holdSemaphore,
      dispatch: (messages: Message[], permits: Permit[]) => {
        if (this.#state !== 'starting') this.#dispatch(messages, permits);
        else {
          const dispatch = () => this.#dispatch(messages, permits);
          void (this.#startPromise as Promise<void>).then(dispatch, dispatch);
        }
      },
      onError: (error: unknown) => this.#onReceiveError(error),
      onEmpty: () => {
        this.#lastReceiveEmpty = true;
        this.#checkIdle();
      },
    };
    this.#receiver = this.#o.schedule
      ? new CronReceiver({
          ...common,
          schedule: this.#o.schedule,
          timeZone: this.#o.timeZone,
          receive: (max, signal) => this.#receive(max, 0, signal),
          onSkipped: () => this.#events.emit('tickSkipped'),
        })
      : new ReceiveLoop({
          ...common,
          pollers: this.#o.pollers ?? defaultPollers(this.#holdSemaphore.permits),
          fullBatches: (this.#o.prefetch ?? 0) >= 9,
          receive: (max, signal) => this.#receive(max, this.#o.waitTimeSeconds ?? 20, signal),
        });
    this.#receiver.start();
  }

  /**
   * Stops polling (aborting long polls in flight), lets running handlers finish for up to `graceMs`, then
   * aborts the signals of those still running and hands their messages (and any waiting for their FIFO
   * group) back with visibility 0 in one batch, waits for pending deletes, and resolves. Handlers that
   * ignore their signal keep their permit until they return, but their message is already handed back.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'new' || (this.#state === 'stopped' && !this.#stopPromise)) {
      this.#state = 'stopped';
      return Promise.resolve();
    }
    this.#stopPromise ??= this.#stop(options.graceMs ?? this.#o.stopGraceMs ?? 30_000);
    return this.#stopPromise;
  }

  async #stop(graceMs: number): Promise<void> {
    await this.#startPromise?.catch(() => {});
    this.#state = 'stopping';
    const drainMs = this.#o.pollsOnStop === 'drain' ? graceMs : 0;
    const receiverStopped =
      this.#receiver instanceof ReceiveLoop ? this.#receiver.stop(drainMs) : this.#receiver?.stop();
    if (drainMs === 0) await receiverStopped;
    await this.#handBackPrefetched();
    await this.#waitForHandlers(graceMs);
    const unfinished = [...this.#inFlight].filter((r) => r.state === 'waiting' || r.state === 'running');
    if (unfinished.length > 0) {
      const reason = new QueueConsumerError('STOPPED', 'the consumer stopped before the handler finished');
      const running = unfinished.filter((r) => r.state === 'running');
      for (const r of unfinished) {
        r.state = 'handedBack';
        r.controller.abort(reason);
      }
      for (const r of this.#gate.takeAllWaiting()) this.#finish(r);
      // Hand back only once the aborted handlers have returned: the next delivery must not overlap them.
      await this.#waitForReturn(running);
      await this.#handBackNow(unfinished, 'stop');
    }
    await receiverStopped;
    await Promise.allSettled([...this.#tasks]);
    await this.#deleter.flush();
    await this.#heartbeat?.stop();
    clearTimeout(this.#handBackRetryTimer);
    this.#handBackRetryTimer = undefined;
    this.#state = 'stopped';
    this.#events.emit('stopped');
  }

  /** Stop: prefetched messages that have not started go back to the queue now, not after the grace period. */
  async #handBackPrefetched(): Promise<void> {
    const waiting = [...this.#inFlight].filter((r) => r.prefetched && r.state === 'waiting');
    if (waiting.length === 0) return;
    const reason = new QueueConsumerError('STOPPED', 'the consumer stopped before the message started');
    for (const r of waiting) {
      r.state = 'handedBack';
      r.controller.abort(reason);
    }
    await this.#handBackNow(waiting, 'stop');
  }

  async #waitForHandlers(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    const busy = () => [...this.#inFlight].some((r) => r.state === 'waiting' || r.state === 'running');
    while (busy() && Date.now() < deadline) {
      const timeout = new AbortController();
      await Promise.race([
        new Promise<void>((resolve) => this.#finishWaiters.push(resolve)),
        sleep(deadline - Date.now(), timeout.signal),
      ]);
      timeout.abort();
    }
  }

  /** Waits (up to `abortGraceMs`) until the handlers of `records` have returned. */
  async #waitForReturn(records: InFlight[]): Promise<void> {
    if (records.length === 0) return;
    const timeout = new AbortController();
    await Promise.race([
      Promise.all(records.map((r) => r.returned.promise)),
      sleep(this.#o.abortGraceMs ?? 10_000, timeout.signal),
    ]);
    timeout.abort();
  }

  #receive(max: number, waitTimeSeconds: number, signal: AbortSignal): Promise<Message[]> {
    return this.#sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: this.#queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: SYSTEM_ATTRIBUTES,
          MessageAttributeNames: this.#o.messageAttributeNames ?? ['All'],
          ...(this.#o.visibilityTimeout !== undefined
            ? { VisibilityTimeout: this.#o.visibilityTimeout }
            : {}),
        }),
        { abortSignal: signal },
      )
      .then((out) => out.Messages ?? []);
  }

  #onReceiveError(error: unknown): 'retry' | 'stop' {
    // While starting, the attribute read decides (and reports) whether the queue can be read at all.
    if (this.#state === 'starting') return 'retry';
    const fatal = fatalAwsError(error, this.#queueUrl);
    if (fatal) {
      this.#events.emit('error', fatal);
      void this.stop();
      return 'stop';
    }
    this.#events.emit(
      'error',
      new QueueConsumerError('RECEIVE_FAILED', 'ReceiveMessage failed; retrying', { cause: error }),
    );
    return 'retry';
  }

  #dispatch(messages: Message[], permits: Permit[]): void {
    const now = Date.now();
    const records: InFlight[] = messages.map((message, i) => ({
      message,
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      permit: permits[i] as Permit,
      controller: new AbortController(),
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1) || 1,
      groupId: this.#fifo ? message.Attributes?.MessageGroupId : undefined,
      state: 'waiting',
      holdsGroup: false,
      startedAt: now,
      returned: Promise.withResolvers<void>(),
    }));
    for (const r of records) this.#inFlight.add(r);
    if (this.#state !== 'running') {
      for (const r of records) r.state = 'handedBack';
      this.#task(this.#handBackNow(records, 'stop'));
      for (const r of records) this.#finish(r);
      return;
    }
    this.#lastReceiveEmpty = false;
    this.#idleEmitted = false;
    for (const r of records) {
      this.#heartbeat?.track(r.messageId, r.receiptHandle, now, now + this.#visibilityTimeout * 1000);
      this.#events.emit('received', r.message);
    }
    if (this.#o.batchHandler) {
      this.#task(this.#runBatch(records));
      return;
    }
    for (const r of records) {
      if (r.groupId !== undefined) {
        this.#gate.enter(r.groupId, r.message.Attributes?.SequenceNumber, r, (entered) => {
          entered.holdsGroup = true;
          this.#task(this.#runOne(entered));
        });
      } else {
        this.#task(this.#runOne(r));
      }
    }
  }

  async #runOne(r: InFlight): Promise<void> {
    if (r.state !== 'waiting') return;
    let slot: Permit | undefined;
    if (this.#holdSemaphore !== this.#semaphore) {
      // Prefetching: the message is held; it runs once a handler slot frees (in arrival order).
      r.prefetched = true;
      try {
        slot = await this.#semaphore.acquire(1, { signal: r.controller.signal });
        this.#followCapacity();
      } catch {
        this.#finish(r); // handed back by stop()
        return;
      }
      if (r.state !== 'waiting') {
        slot.release();
        this.#finish(r);
        return;
      }
    }
    r.state = 'running';
    r.startedAt = Date.now();
    const heartbeat = this.#heartbeat as VisibilityHeartbeat;
    const context: MessageContext = {
      signal: r.controller.signal,
      receiveCount: r.receiveCount,
      extendVisibility: (seconds) => heartbeat.extend(r.receiptHandle, seconds),
    };
    const timer = this.#startTimeout([r]);
    const handler = this.#o.handler as NonNullable<QueueConsumerOptions['handler']>;
    const outcome = await settle(() => handler(r.message, context));
    slot?.release();
    r.returned.resolve();
    clearTimeout(timer);
    await this.#settle(r, outcome);
  }

  async #runBatch(records: InFlight[]): Promise<void> {
    const controller = new AbortController();
    for (const r of records) {
      r.state = 'running';
      r.controller = controller;
    }
    const heartbeat = this.#heartbeat as VisibilityHeartbeat;
    const timer = this.#startTimeout(records);
    const batchHandler = this.#o.batchHandler as NonNullable<QueueConsumerOptions['batchHandler']>;
    let result: unknown;
    const outcome = await settle(async () => {
      result = await batchHandler(
        records.map((r) => r.message),
        {
          signal: controller.signal,
          extendVisibility: (message, seconds) => heartbeat.extend(message.ReceiptHandle ?? '', seconds),
        },
      );
    });
    for (const r of records) r.returned.resolve();
    clearTimeout(timer);
    const failed = new Map<string, unknown>();
    if (outcome.ok && result && typeof result === 'object' && 'failed' in result) {
      for (const f of (result as { failed: ReadonlyArray<{ messageId: string; error?: unknown }> }).failed) {
        failed.set(f.messageId, f.error ?? new Error('failed in batch'));
      }
    }
    await Promise.all(
      records.map((r) => {
        if (!outcome.ok) return this.#settle(r, outcome);
        if (failed.has(r.messageId)) return this.#settle(r, { ok: false, error: failed.get(r.messageId) });
        return this.#settle(r, { ok: true });
      }),
    );
  }

  #startTimeout(records: InFlight[]): NodeJS.Timeout | undefined {
    const ms = this.#o.handlerTimeoutMs;
    if (ms === undefined) return undefined;
    return setTimeout(() => {
      const running = records.filter((r) => r.state === 'running');
      if (running.length === 0) return;
      const error = new HandlerTimeoutError(ms);
      for (const r of running) {
        r.state = 'handedBack';
        r.controller.abort(error);
        this.#events.emit('failed', r.message, error, {
          permanent: false,
          durationMs: Date.now() - r.startedAt,
        });
        this.#task(this.#waitForReturn([r]).then(() => this.#handBackWithBackoff(r, 'timeout')));
      }
    }, ms);
  }

  async #settle(r: InFlight, outcome: Outcome): Promise<void> {
    if (r.state !== 'running') {
      // Handed back already (timeout or stop): only the permit is left to give back.
      this.#finish(r);
      return;
    }
    r.state = 'settled';
    const durationMs = Date.now() - r.startedAt;
    await this.#heartbeat?.untrack(r.receiptHandle);
    if (outcome.ok) {
      this.#events.emit('processed', r.message, { durationMs });
      this.#delete(r);
    } else if (isPermanentError(outcome.error)) {
      this.#events.emit('failed', r.message, outcome.error, { permanent: true, durationMs });
      await this.#permanentFailure(r, outcome.error);
    } else {
      this.#events.emit('failed', r.message, outcome.error, { permanent: false, durationMs });
      await this.#handBackWithBackoff(r, 'failure');
    }
    this.#finish(r);
  }

  #delete(r: InFlight): void {
    this.#task(
      this.#deleter.delete(r).then((deleted) => {
        if (deleted) this.#events.emit('deleted', r.message);
      }),
    );
  }

  async #handBackWithBackoff(r: InFlight, reason: HandBackReason): Promise<void> {
    const seconds = backoffSeconds(r.receiveCount, this.#o.backoff);
    await this.#heartbeat?.untrack(r.receiptHandle);
    try {
      await handBack(this.#sqs, this.#queueUrl, r, seconds);
      this.#events.emit('handedBack', r.message, { visibilityTimeout: seconds, reason });
    } catch (error) {
      this.#events.emit('error', error as QueueConsumerError);
      if (isRetryable((error as Error).cause)) this.#deferHandBack(r, Date.now() + seconds * 1000, reason);
    }
    // FIFO: later messages of the group must not overtake this one. It stays in flight (invisible) for its
    // backoff, so SQS delivers nothing of the group before it; the ones we hold go back at once.
    if (r.groupId !== undefined && r.holdsGroup) {
      const later = this.#gate.takeWaiting(r.groupId);
      if (later.length > 0) {
        for (const w of later) w.state = 'handedBack';
        await this.#handBackNow(later, 'order');
        for (const w of later) this.#finish(w);
      }
    }
  }

  /** Hands messages back with visibility 0 in as few calls as possible. */
  async #handBackNow(records: InFlight[], reason: HandBackReason): Promise<void> {
    await Promise.all(records.map((r) => this.#heartbeat?.untrack(r.receiptHandle)));
    const failures = await handBackBatch(this.#sqs, this.#queueUrl, records, 0);
    const failedIds = new Set(failures.map((f) => f.messageId));
    for (const failure of failures) {
      this.#events.emit('error', failure.error);
      const record = records.find((r) => r.messageId === failure.messageId);
      if (failure.unreachable && record !== undefined) this.#deferHandBack(record, Date.now(), reason);
    }
    for (const r of records) {
      if (!failedIds.has(r.messageId))
        this.#events.emit('handedBack', r.message, { visibilityTimeout: 0, reason });
    }
  }

  /**
   * Remembers a hand-back that failed because SQS could not be reached (the SQS client has retried it
   * already). It is tried again every `handBackRetryMs` until SQS answers, with the visibility it was
   * meant to have; without this the message would stay invisible for the rest of its visibility timeout.
   */
  #deferHandBack(r: InFlight, visibleAt: number, reason: HandBackReason): void {
    this.#pendingHandBacks.set(r.receiptHandle, { record: r, visibleAt, reason });
    this.#scheduleHandBackRetry();
  }

  #scheduleHandBackRetry(): void {
    if (this.#handBackRetryTimer !== undefined || this.#pendingHandBacks.size === 0) return;
    if (this.#state === 'stopped') return;
    this.#handBackRetryTimer = setTimeout(() => {
      this.#handBackRetryTimer = undefined;
      this.#task(this.#retryHandBacks());
    }, this.#o.handBackRetryMs ?? 2000);
  }

  async #retryHandBacks(): Promise<void> {
    const pending = [...this.#pendingHandBacks.values()];
    this.#pendingHandBacks.clear();
    const now = Date.now();
    const bySeconds = new Map<number, PendingHandBack[]>();
    for (const p of pending) {
      const seconds = Math.max(0, Math.ceil((p.visibleAt - now) / 1000));
      bySeconds.set(seconds, [...(bySeconds.get(seconds) ?? []), p]);
    }
    for (const [seconds, group] of bySeconds) {
      const failures = await handBackBatch(
        this.#sqs,
        this.#queueUrl,
        group.map((p) => p.record),
        seconds,
      );
      const failed = new Map(failures.map((f) => [f.messageId, f]));
      for (const p of group) {
        const failure = failed.get(p.record.messageId);
        if (failure === undefined) {
          this.#events.emit('handedBack', p.record.message, { visibilityTimeout: seconds, reason: p.reason });
        } else if (failure.unreachable) {
          this.#pendingHandBacks.set(p.record.receiptHandle, p);
        } else {
          // SQS answered but refused: the message became visible on its own (its receipt expired).
          this.#events.emit('error', failure.error);
        }
      }
    }
    this.#scheduleHandBackRetry();
  }

  async #permanentFailure(r: InFlight, error: unknown): Promise<void> {
    const action = this.#o.onPermanentFailure;
    try {
      if (action === 'delete' || (action === undefined && !this.#deadLetterArn)) {
        // nothing to do before the delete
      } else if (typeof action === 'function') {
        await action(r.message, error);
      } else {
        const queueUrl = action ? action.deadLetterQueueUrl : await this.#resolveDeadLetterUrl();
        await sendToDeadLetterQueue(this.#sqs, queueUrl, r.message);
        this.#events.emit('deadLettered', r.message, { queueUrl });
      }
    } catch (cause) {
      this.#events.emit(
        'error',
        new QueueConsumerError(
          'DEAD_LETTER_FAILED',
          `permanent failure of ${r.messageId} could not be handled`,
          {
            cause,
          },
        ),
      );
      await this.#handBackWithBackoff(r, 'failure');
      return;
    }
    this.#delete(r);
  }

  #resolveDeadLetterUrl(): Promise<string> {
    this.#deadLetterUrl ??= queueUrlFromArn(this.#sqs, this.#deadLetterArn as string).catch(
      (error: unknown) => {
        this.#deadLetterUrl = undefined;
        throw error;
      },
    );
    return this.#deadLetterUrl;
  }

  #finish(r: InFlight): void {
    if (!this.#inFlight.delete(r)) return;
    this.#followCapacity();
    r.permit.release();
    if (r.holdsGroup && r.groupId !== undefined) this.#gate.leave(r.groupId);
    for (const resolve of this.#finishWaiters.splice(0)) resolve();
    this.#checkIdle();
  }

  /**
   * With `prefetch`, the messages held follow the handler slots: `semaphore.setPermits(n)` makes room for
   * `n + prefetch` (checked whenever a message starts or finishes).
   */
  #followCapacity(): void {
    if (this.#holdSemaphore === this.#semaphore) return;
    const wanted = this.#semaphore.permits + (this.#o.prefetch ?? 0);
    if (this.#holdSemaphore.permits !== wanted) this.#holdSemaphore.setPermits(wanted);
  }

  #checkIdle(): void {
    if (
      this.#inFlight.size === 0 &&
      this.#lastReceiveEmpty &&
      !this.#idleEmitted &&
      this.#state === 'running'
    ) {
      this.#idleEmitted = true;
      this.#events.emit('idle');
    }
  }

  #task(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => {
      this.#events.emit(
        'error',
        new QueueConsumerError('HANDLER_FAILED', 'internal failure', { cause: error }),
      );
    });
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }
}

/** An AWS call failure worth trying again later: no answer, a server error or throttling (not a 4xx refusal). */
function isRetryable(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: number }; name?: unknown } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) return true;
  return e?.name === 'ThrottlingException' || e?.name === 'RequestThrottled';
}

async function settle(fn: () => unknown): Promise<Outcome> {
  try {
    await fn();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}
