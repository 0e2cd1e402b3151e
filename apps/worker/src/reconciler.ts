import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  exhaustJob,
  isAwsUnreachable,
  type JobStore,
  jobMessageBody,
  lastActivity,
  reenqueueJob,
  TERMINAL_STATES,
  undoReenqueue,
} from '@media-server/jobs';
import { CronJob } from 'cron';
import type { Logger } from 'pino';
import type { WorkerMetrics } from './metrics.ts';

export interface ReconcileResult {
  scanned: number;
  reenqueued: string[];
  failed: string[];
  /** The pass stopped early because S3 or SQS could not be reached (the rest waits for the next pass). */
  interrupted?: { error: string } | undefined;
}

/** Most ticks skipped after passes interrupted by an outage (the pause doubles from 1 up to this). */
const MAX_SKIPPED_TICKS = 16;

/**
 * The original's recovery loop, done right. A job with a spec and an uploaded source, no terminal status
 * and no live progress (no status write) for `staleMinutes` is re-enqueued once with a job message; if it
 * is still stale `staleMinutes` after that, it is marked `failed` ("exhausted retries": its message went
 * to the dead-letter queue or a worker keeps dying on it). A job in flight writes its status at least every
 * few seconds, so it is never stale and never duplicated.
 */
export class Reconciler {
  readonly #store: JobStore;
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #staleMs: number;
  readonly #log: Logger;
  readonly #metrics: WorkerMetrics;
  #job: CronJob | undefined;
  #running: Promise<ReconcileResult> | undefined;
  /** Ticks still to skip after an outage, and the pause the next outage gets. */
  #skipTicks = 0;
  #pauseTicks = 1;

  constructor(options: {
    store: JobStore;
    sqs: SQSClient;
    queueUrl: string;
    staleMinutes: number;
    log: Logger;
    metrics: WorkerMetrics;
  }) {
    this.#store = options.store;
    this.#sqs = options.sqs;
    this.#queueUrl = options.queueUrl;
    this.#staleMs = options.staleMinutes * 60_000;
    this.#log = options.log.child({ component: 'reconciler' });
    this.#metrics = options.metrics;
  }

  start(schedule: string): void {
    this.#job = CronJob.from({
      cronTime: schedule,
      start: true,
      onTick: () => {
        if (this.#running) return;
        if (this.#skipTicks > 0) {
          this.#skipTicks -= 1;
          return;
        }
        void this.reconcile().then(
          (result) => this.#afterPass(result.interrupted !== undefined),
          (error: unknown) => {
            const outage = isAwsUnreachable(error);
            this.#afterPass(outage);
            this.#log.warn(
              { err: error, ...(outage ? { pausedForTicks: this.#skipTicks } : {}) },
              'reconcile pass failed',
            );
          },
        );
      },
    });
  }

  /** During an outage, pause for 1, 2, 4 … ticks (at most {@link MAX_SKIPPED_TICKS}); reset once a pass goes through. */
  #afterPass(outage: boolean): void {
    if (!outage) {
      this.#pauseTicks = 1;
      return;
    }
    this.#skipTicks = this.#pauseTicks;
    this.#pauseTicks = Math.min(this.#pauseTicks * 2, MAX_SKIPPED_TICKS);
  }

  async stop(): Promise<void> {
    await this.#job?.stop();
    await this.#running?.catch(() => undefined);
  }

  /** One pass over every job. Also callable directly (tests, an operator's one-off run). */
  reconcile(now: number = Date.now()): Promise<ReconcileResult> {
    this.#running ??= this.#pass(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(now: number): Promise<ReconcileResult> {
    const result: ReconcileResult = { scanned: 0, reenqueued: [], failed: [] };
    let cursor: string | undefined;
    do {
      const page = await this.#store.listJobIds({ limit: 500, after: cursor });
      cursor = page.next;
      for (const jobId of page.jobIds) {
        result.scanned += 1;
        try {
          const action = await this.#check(jobId, now);
          if (action === 'reenqueued') result.reenqueued.push(jobId);
          if (action === 'failed') result.failed.push(jobId);
        } catch (error) {
          if (isAwsUnreachable(error)) {
            // An outage, not this job's fault: every other job would fail the same way. One line, then stop.
            result.interrupted = { error: error instanceof Error ? error.message : String(error) };
            this.#log.warn(
              {
                err: error,
                jobId,
                scanned: result.scanned,
                reenqueued: result.reenqueued.length,
                nextPassInTicks: Math.min(this.#pauseTicks, MAX_SKIPPED_TICKS) + 1,
              },
              'reconcile pass stopped: S3 or SQS unreachable; pausing',
            );
            return result;
          }
          this.#log.warn({ err: error, jobId }, 'could not reconcile job');
        }
      }
    } while (cursor !== undefined);
    if (result.reenqueued.length + result.failed.length > 0) {
      this.#log.info(
        { reenqueued: result.reenqueued, failed: result.failed, scanned: result.scanned },
        'reconciled',
      );
    }
    return result;
  }

  async #check(jobId: string, now: number): Promise<'reenqueued' | 'failed' | undefined> {
    const status = await this.#store.readStatus(jobId);
    if (status && TERMINAL_STATES.includes(status.state)) return undefined;
    const spec = await this.#store.readSpec(jobId);
    if (spec === undefined) return undefined;
    const lastSign = lastActivity(status, spec.createdAt);
    if (now - lastSign < this.#staleMs) return undefined;
    const source = await this.#store.headSource(spec.source.key);
    if (source === undefined) return undefined; // still awaiting its upload
    const stale = { jobId, specCreatedAt: spec.createdAt, seenActivity: lastSign, now };

    if ((status?.reenqueued ?? 0) >= 1) {
      const failed = await this.#store.transition(jobId, (current) => exhaustJob(current, stale));
      if (!failed.ok) return undefined;
      this.#metrics.reconciled.inc({ action: 'failed' });
      return 'failed';
    }

    // Mark first (so another reconciler, in another worker, sees it), then send.
    const marked = await this.#store.transition(jobId, (current) =>
      reenqueueJob(current, {
        ...stale,
        source: { bucket: this.#store.bucket, key: spec.source.key, etag: source.etag },
      }),
    );
    if (!marked.ok) return undefined;
    try {
      await this.#sqs.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: jobMessageBody(jobId, 'reconciler'),
        }),
      );
    } catch (error) {
      // Not sent: take the mark back, or the next pass would count a re-enqueue that never happened and
      // fail the job. (If S3 is down too, the mark stays; the job is then failed one pass early at worst.)
      await this.#store
        .transition(jobId, (current) => undoReenqueue(current, { markedUpdatedAt: marked.status.updatedAt }))
        .catch(() => undefined);
      throw error;
    }
    this.#metrics.reconciled.inc({ action: 'reenqueued' });
    return 'reenqueued';
  }
}
