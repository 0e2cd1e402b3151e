import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  claimJob,
  failJob,
  JobDocumentError,
  type JobSpec,
  type JobStatus,
  type JobStore,
  requeueJob,
  succeedJob,
  type Transition,
} from '@media-server/jobs';
import { isPermanentError, PermanentError } from '@media-server/queue-consumer';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.ts';
import type { FfmpegReport } from './ffmpeg-runtime.ts';
import { describeJobError } from './job-error.ts';
import type { DeliveryContext, JobTarget } from './job-target.ts';
import type { WorkerMetrics } from './metrics.ts';
import { processJob } from './process-job.ts';
import { normaliseEtag } from './s3-transfer.ts';
import { StatusWriter } from './status-writer.ts';
import type { Webhooks } from './webhooks/webhooks.ts';

export type { DeliveryContext, JobTarget } from './job-target.ts';

export type JobOutcome = 'succeeded' | 'failed' | 'skipped';

/**
 * Runs one job: claim → {@link processJob} → settle (`succeeded`, `failed`, or `queued` again). Bad media
 * ends `failed` with a {@link PermanentError}; anything else is rethrown so the consumer hands the message
 * back with backoff (on its last receive the job is marked failed first). Every status change is one of the
 * pure transitions of `@media-server/jobs`.
 */
export class JobRunner {
  readonly #config: WorkerConfig;
  readonly #s3: S3Client;
  readonly #store: JobStore;
  readonly #log: Logger;
  readonly #metrics: WorkerMetrics;
  readonly #webhooks: Webhooks;
  readonly #ffmpeg: FfmpegReport | undefined;
  /** Jobs running in this process: a second message for one of them is a duplicate. */
  readonly #active = new Set<string>();
  /** The queue's maxReceiveCount (RedrivePolicy), when it has a dead-letter queue. */
  maxReceiveCount: number | undefined;

  constructor(deps: {
    config: WorkerConfig;
    s3: S3Client;
    store: JobStore;
    log: Logger;
    metrics: WorkerMetrics;
    webhooks: Webhooks;
    /** Recorded in every job's status: which ffmpeg ran it, and how isolated. */
    ffmpeg?: FfmpegReport | undefined;
  }) {
    this.#config = deps.config;
    this.#s3 = deps.s3;
    this.#store = deps.store;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#webhooks = deps.webhooks;
    this.#ffmpeg = deps.ffmpeg;
  }

  async run(target: JobTarget, delivery: DeliveryContext): Promise<JobOutcome> {
    const log = this.#log.child({ jobId: target.jobId, key: target.key, attempt: delivery.receiveCount });
    if (this.#active.has(target.jobId)) return this.#skip('held-by-self', undefined, log);
    this.#active.add(target.jobId);
    try {
      let spec: JobSpec | undefined;
      let current: JobStatus | undefined;
      try {
        [spec, current] = await Promise.all([
          this.#readSpec(target.jobId, log),
          this.#store.readStatus(target.jobId),
        ]);
      } catch (error) {
        log.warn({ err: error }, 'could not read the job documents; handing the message back');
        throw error;
      }
      const claim = (status: JobStatus | undefined) =>
        claimJob(status, this.#claimInput(target, delivery, spec));
      const refused = claim(current);
      if (!refused.ok) return this.#skip(refused.reason, current, log);
      return await this.#runClaimed(target, delivery, spec, claim, log);
    } finally {
      this.#active.delete(target.jobId);
    }
  }

  #claimInput(target: JobTarget, delivery: DeliveryContext, spec: JobSpec | undefined) {
    const etag = normaliseEtag(target.etag);
    return {
      jobId: target.jobId,
      workerId: this.#config.workerId,
      messageId: delivery.messageId,
      receiveCount: delivery.receiveCount,
      source: { bucket: target.bucket, key: target.key, etag, size: target.size },
      via: target.via,
      specCreatedAt: spec?.createdAt,
      ffmpeg: this.#ffmpeg,
      peerLivenessMs: Math.max(this.#config.progressIntervalMs * 15, 30_000),
      now: Date.now(),
    };
  }

  #skip(reason: string, current: JobStatus | undefined, log: Logger): JobOutcome {
    log.info({ reason, state: current?.state }, 'job needs no work');
    this.#metrics.ignored.inc({ reason });
    this.#metrics.jobs.inc({ outcome: 'skipped' });
    return 'skipped';
  }

  async #runClaimed(
    target: JobTarget,
    delivery: DeliveryContext,
    spec: JobSpec | undefined,
    claim: (status: JobStatus | undefined) => Transition,
    log: Logger,
  ): Promise<JobOutcome> {
    const config = this.#config;
    const workerId = config.workerId;
    const startedAt = Date.now();
    const lost = new AbortController();
    const signal = AbortSignal.any([delivery.signal, lost.signal]);
    const writer = new StatusWriter({
      store: this.#store,
      jobId: target.jobId,
      workerId,
      intervalMs: config.progressIntervalMs,
      log,
      onLost: () => lost.abort(new Error('another worker claimed the job')),
    });
    const claimed = await writer.transition(claim).catch((error: unknown) => {
      log.warn({ err: error }, 'could not claim the job; handing the message back');
      throw error;
    });
    // A peer claimed it (or it ended) between the read and the write.
    if (!claimed.ok) return this.#skip(claimed.reason, undefined, log);
    log.info('job started');
    this.#webhooks.send(spec, 'job.processing', claimed.status, writer);
    writer.startHeartbeat();
    this.#metrics.inFlight.inc();

    let workDir = '';
    try {
      await mkdir(config.tempDir, { recursive: true });
      workDir = await mkdtemp(join(config.tempDir, `w${process.pid}-${target.jobId}-`));
      const result = await processJob({
        config,
        s3: this.#s3,
        metrics: this.#metrics,
        target,
        spec,
        workDir,
        writer,
        signal,
        log,
      });
      await writer.close();
      const final = await writer.transition((current) =>
        succeedJob(current, { workerId, result, now: Date.now() }),
      );
      if (!final.ok) throw new Error('another worker claimed the job before it was stored');
      this.#finish('succeeded', startedAt);
      log.info({ outputs: result.outputs.length, ms: Date.now() - startedAt }, 'job succeeded');
      this.#webhooks.send(spec, 'job.succeeded', final.status, writer);
      return 'succeeded';
    } catch (error) {
      await writer.close();
      if (delivery.signal.aborted) {
        // Stopping or timed out: the consumer hands the message back; a peer takes the job over.
        this.#finish('handed_back', startedAt);
        log.warn({ reason: String(delivery.signal.reason) }, 'job interrupted; message handed back');
        throw error;
      }
      if (writer.lost || lost.signal.aborted) {
        this.#finish('lost', startedAt);
        throw error;
      }
      return await this.#settleFailure(error, delivery, spec, writer, workDir, startedAt, log);
    } finally {
      this.#metrics.inFlight.dec();
      if (workDir !== '') await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Marks the job `failed` (permanent or out of retries) or `queued` again, then rethrows for the consumer. */
  async #settleFailure(
    error: unknown,
    delivery: DeliveryContext,
    spec: JobSpec | undefined,
    writer: StatusWriter,
    workDir: string,
    startedAt: number,
    log: Logger,
  ): Promise<never> {
    const workerId = this.#config.workerId;
    const permanent = isPermanentError(error);
    const exhausted =
      !permanent && this.maxReceiveCount !== undefined && delivery.receiveCount >= this.maxReceiveCount;
    const jobError = describeJobError(error, {
      workDir,
      ...(exhausted ? { exhaustedAfter: delivery.receiveCount } : {}),
    });
    const settled = await writer
      .transition((current) =>
        jobError.permanent
          ? failJob(current, { workerId, error: jobError, now: Date.now() })
          : requeueJob(current, { workerId, error: jobError }),
      )
      .catch((writeError: unknown) => {
        // S3 unreachable (an outage): the status cannot say why; this line does, then the message goes back.
        log.warn(
          { err: error, writeError, code: jobError.code },
          'job failed and its status could not be written; handing the message back',
        );
        throw error;
      });
    if (!jobError.permanent) {
      this.#finish('retried', startedAt);
      log.warn({ err: error }, 'job hit a transient error; handing the message back');
      throw error;
    }
    this.#finish('failed', startedAt);
    log.warn({ err: error, code: jobError.code }, 'job failed');
    if (settled.ok) this.#webhooks.send(spec, 'job.failed', settled.status, writer);
    if (permanent) throw new PermanentError(jobError.message, { cause: error });
    throw error;
  }

  #finish(outcome: string, startedAt: number): void {
    this.#metrics.jobs.inc({ outcome });
    this.#metrics.jobDuration.observe({ outcome }, (Date.now() - startedAt) / 1000);
  }

  async #readSpec(jobId: string, log: Logger): Promise<JobSpec | undefined> {
    try {
      return await this.#store.readSpec(jobId);
    } catch (error) {
      if (error instanceof JobDocumentError) {
        log.warn({ err: error }, 'spec.json is invalid; using the default presets');
        return undefined;
      }
      throw error;
    }
  }
}
