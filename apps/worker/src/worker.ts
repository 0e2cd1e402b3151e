import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { JobStore } from '@media-server/jobs';
import { QueueConsumer } from '@media-server/queue-consumer';
import { Semaphore } from '@media-server/semaphore';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config.ts';
import { prepareFfmpeg } from './ffmpeg-runtime.ts';
import { type HealthServer, startHealthServer } from './http-server.ts';
import { JobRunner } from './job-runner.ts';
import { createMessageHandler } from './message-handler.ts';
import { MessageJobs } from './message-jobs.ts';
import { createMetrics, type WorkerMetrics } from './metrics.ts';
import { removeOrphanTempDirs } from './orphan-temp-dirs.ts';
import { Reconciler } from './reconciler.ts';
import { Webhooks } from './webhooks/webhooks.ts';

/** A running worker: consumer, reconciler and health server. */
export interface Worker {
  readonly httpPort: number;
  readonly metrics: WorkerMetrics;
  readonly reconciler: Reconciler;
  /** Stops taking messages, lets jobs finish for the grace period, hands back the rest, closes everything. */
  stop(): Promise<void>;
}

/**
 * Waits until the queue answers. Against local-aws (`pnpm dev` starts both at once) it retries and logs
 * until `timeoutMs`; against AWS one failure is final (a wrong URL or missing permission will not heal).
 */
export async function waitForQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: { retry: boolean; log: Logger; timeoutMs?: number; signal?: AbortSignal },
): Promise<Record<string, string>> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
        }),
      );
      return out.Attributes ?? {};
    } catch (error) {
      if (!options.retry || Date.now() > deadline || options.signal?.aborted) throw error;
      if (attempt === 1 || attempt % 10 === 0) {
        options.log.info(
          { queueUrl, attempt, error: (error as Error).message },
          'waiting for local-aws to answer',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Composes the worker from its configuration and starts it. */
export async function startWorker(config: WorkerConfig, log: Logger): Promise<Worker> {
  // Before anything else: in `required` mode a host without a working sandbox never takes a message.
  const ffmpeg = await prepareFfmpeg(config.ffmpegSandbox, log);
  const s3 = new S3Client({ ...config.aws.s3 });
  const sqs = new SQSClient({ ...config.aws.sqs });
  const metrics = createMetrics();
  const store = new JobStore({ s3, bucket: config.aws.bucket });
  const webhooks = new Webhooks({
    secret: config.webhookSecret,
    allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    log,
  });
  const runner = new JobRunner({ config, s3, store, log, metrics, webhooks, ffmpeg });

  const attributes = await waitForQueue(sqs, config.aws.queueUrl, {
    retry: config.aws.mode === 'local',
    log,
  });
  runner.maxReceiveCount = maxReceiveCount(attributes.RedrivePolicy);
  await s3.send(new HeadBucketCommand({ Bucket: config.aws.bucket }));
  await removeOrphanTempDirs(config.tempDir, log);

  const semaphore = new Semaphore(config.concurrency);
  const messageJobs = new MessageJobs();
  const consumer = new QueueConsumer({
    sqs,
    queueUrl: config.aws.queueUrl,
    semaphore,
    handler: createMessageHandler({
      bucket: config.aws.bucket,
      s3,
      store,
      runner,
      log,
      metrics,
      messageJobs,
    }),
    // Short: the heartbeat extends it while a job runs, so it only bounds how long a crashed worker's job
    // stays invisible (the queue's own, often 60 s or more, is not used).
    visibilityTimeout: config.visibilityTimeoutSeconds,
    // The job status records why a job failed permanently; the message itself is of no further use.
    onPermanentFailure: 'delete',
    stopGraceMs: config.shutdownGraceMs,
    ...(config.pollSchedule === undefined ? {} : { schedule: config.pollSchedule }),
  });
  consumer.on('error', (error) =>
    log.warn(
      {
        code: error.code,
        error: error.message,
        cause: String(error.cause ?? ''),
        ...(error.messageId === undefined
          ? {}
          : { messageId: error.messageId, jobIds: messageJobs.get(error.messageId) }),
      },
      'queue consumer error',
    ),
  );
  consumer.on('failed', (message, error, info) =>
    log.debug(
      {
        messageId: message.MessageId,
        jobIds: messageJobs.get(message.MessageId),
        permanent: info.permanent,
        err: error,
      },
      'message failed',
    ),
  );
  consumer.on('handedBack', (message, info) =>
    log.info(
      { messageId: message.MessageId, jobIds: messageJobs.get(message.MessageId), ...info },
      'message handed back',
    ),
  );
  consumer.on('deleted', (message) => messageJobs.delete(message.MessageId));

  let queueReachable = true;
  const pollQueue = async () => {
    try {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: config.aws.queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const a = out.Attributes ?? {};
      metrics.queueDepth.set({ kind: 'visible' }, Number(a.ApproximateNumberOfMessages ?? 0));
      metrics.queueDepth.set({ kind: 'in_flight' }, Number(a.ApproximateNumberOfMessagesNotVisible ?? 0));
      metrics.queueDepth.set({ kind: 'delayed' }, Number(a.ApproximateNumberOfMessagesDelayed ?? 0));
      queueReachable = true;
    } catch (error) {
      queueReachable = false;
      log.warn({ err: error }, 'cannot read the queue attributes');
    }
  };
  const queueTimer = setInterval(() => void pollQueue(), 15_000);
  queueTimer.unref();
  void pollQueue();

  let stopping = false;
  const http: HealthServer = await startHealthServer({
    port: config.httpPort,
    host: config.httpHost,
    registry: metrics.registry,
    details: () => ({ ffmpeg }),
    ready: () => {
      if (stopping) return { ready: false, reason: 'stopping' };
      if (consumer.state !== 'running') return { ready: false, reason: `consumer is ${consumer.state}` };
      if (!queueReachable) return { ready: false, reason: 'queue unreachable' };
      return { ready: true };
    },
  });

  await consumer.start();
  const reconciler = new Reconciler({
    store,
    sqs,
    queueUrl: config.aws.queueUrl,
    staleMinutes: config.reconcileStaleMinutes,
    log,
    metrics,
  });
  if (config.reconcileSchedule !== undefined) reconciler.start(config.reconcileSchedule);
  log.info(
    {
      httpPort: http.port,
      queueUrl: config.aws.queueUrl,
      bucket: config.aws.bucket,
      mode: config.aws.mode,
      concurrency: config.concurrency,
      maxReceiveCount: runner.maxReceiveCount,
      ffmpeg,
    },
    'worker started',
  );

  let stopPromise: Promise<void> | undefined;
  return {
    httpPort: http.port,
    metrics,
    reconciler,
    stop() {
      stopPromise ??= (async () => {
        stopping = true;
        clearInterval(queueTimer);
        await reconciler.stop();
        await consumer.stop({ graceMs: config.shutdownGraceMs });
        await webhooks.drain(5000);
        await http.close();
        s3.destroy();
        sqs.destroy();
        log.info('worker stopped');
      })();
      return stopPromise;
    },
  };
}

function maxReceiveCount(redrivePolicy: string | undefined): number | undefined {
  if (!redrivePolicy) return undefined;
  try {
    const value = Number((JSON.parse(redrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
