import type { S3Client } from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import {
  deriveJobId,
  type JobStore,
  jobIdFromUploadKey,
  parseJobMessage,
  UPLOADS_PREFIX,
} from '@media-server/jobs';
import {
  isPermanentError,
  type MessageContext,
  PermanentError,
  parseS3Event,
  S3EventParseError,
} from '@media-server/queue-consumer';
import type { Logger } from 'pino';
import type { JobRunner } from './job-runner.ts';
import type { DeliveryContext, JobTarget } from './job-target.ts';
import type { MessageJobs } from './message-jobs.ts';
import type { WorkerMetrics } from './metrics.ts';

/**
 * Turns a queue message into the jobs it starts: an S3 ObjectCreated event for a key under `uploads/`
 * (anything else, and `s3:TestEvent`, is acknowledged without work), or a job message from the API or the
 * reconciler. Each job then runs through the {@link JobRunner}.
 */
export function createMessageHandler(deps: {
  bucket: string;
  s3: S3Client;
  store: JobStore;
  runner: JobRunner;
  log: Logger;
  metrics: WorkerMetrics;
  /** Filled with the jobs of each message, for log lines about the message. */
  messageJobs?: MessageJobs | undefined;
}): (message: Message, context: MessageContext) => Promise<void> {
  const { log, metrics } = deps;
  return async (message, context) => {
    const sent = Number(message.Attributes?.SentTimestamp);
    if (Number.isFinite(sent)) {
      const wait = Math.max(0, (Date.now() - sent) / 1000);
      metrics.queueWait.observe(wait);
      metrics.queueLag.set(wait);
    }
    const delivery: DeliveryContext = {
      messageId: message.MessageId ?? '',
      receiveCount: context.receiveCount,
      signal: context.signal,
    };
    const messageId = message.MessageId ?? '';
    const named = parseJobMessage(message.Body ?? '')?.jobId;
    if (named !== undefined) deps.messageJobs?.set(messageId, [named]);
    let targets: JobTarget[];
    try {
      targets = await resolveTargets(message, deps);
    } catch (error) {
      if (!isPermanentError(error))
        log.warn({ messageId, jobId: named, err: error }, 'could not read the job of a message; retrying');
      throw error;
    }
    deps.messageJobs?.set(
      messageId,
      targets.map((target) => target.jobId),
    );
    let transient: unknown;
    let permanent: unknown;
    for (const target of targets) {
      try {
        await deps.runner.run(target, delivery);
      } catch (error) {
        if (isPermanentError(error)) permanent = error;
        else transient ??= error;
        if (context.signal.aborted) break;
      }
    }
    // One record failing transiently retries the message (records already done are skipped next time).
    if (transient !== undefined) throw transient;
    if (permanent !== undefined) throw permanent;
    if (targets.length === 0)
      log.debug({ messageId: message.MessageId }, 'message acknowledged without work');
  };
}

async function resolveTargets(
  message: Message,
  deps: { bucket: string; s3: S3Client; store: JobStore; log: Logger; metrics: WorkerMetrics },
): Promise<JobTarget[]> {
  const { log, metrics } = deps;
  const body = message.Body ?? '';
  const jobMessage = parseJobMessage(body);
  if (jobMessage) {
    const spec = await deps.store.readSpec(jobMessage.jobId);
    const status = spec === undefined ? await deps.store.readStatus(jobMessage.jobId) : undefined;
    const key = spec?.source.key ?? status?.source.key;
    if (key === undefined) {
      metrics.ignored.inc({ reason: 'unknown-job' });
      throw new PermanentError(`job ${jobMessage.jobId} has no spec.json: nothing to process`);
    }
    const bucket = status?.source.bucket ?? deps.bucket;
    const head = await deps.store.headSource(key);
    if (head === undefined) {
      metrics.ignored.inc({ reason: 'source-missing' });
      log.warn({ jobId: jobMessage.jobId, key }, 'job message for a source that is not uploaded (yet)');
      return [];
    }
    return [
      { jobId: jobMessage.jobId, bucket, key, etag: head.etag || undefined, size: head.size, via: 'message' },
    ];
  }

  let parsed: ReturnType<typeof parseS3Event>;
  try {
    parsed = parseS3Event(body);
  } catch (error) {
    if (error instanceof S3EventParseError) {
      metrics.ignored.inc({ reason: 'unrecognised' });
      log.warn(
        { messageId: message.MessageId, error: error.message, body: body.slice(0, 200) },
        'message is neither a job message nor an S3 event: deleted without work',
      );
      throw new PermanentError(`message is neither a job message nor an S3 event: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  if (parsed.kind === 'test') {
    metrics.ignored.inc({ reason: 's3-test-event' });
    log.info({ bucket: parsed.bucket }, 's3:TestEvent acknowledged');
    return [];
  }
  const targets: JobTarget[] = [];
  for (const record of parsed.records) {
    const { key, eTag, size } = record.object;
    if (!record.eventName.startsWith('ObjectCreated')) {
      metrics.ignored.inc({ reason: 'not-object-created' });
      continue;
    }
    if (!key.startsWith(UPLOADS_PREFIX) || key.endsWith('/')) {
      metrics.ignored.inc({ reason: 'not-an-upload' });
      log.info({ key }, 'ignored an event for a key outside uploads/');
      continue;
    }
    const bucket = record.bucket.name;
    if (bucket !== deps.bucket) {
      metrics.ignored.inc({ reason: 'other-bucket' });
      log.warn({ bucket, key }, 'ignored an event for another bucket');
      continue;
    }
    const jobId = jobIdFromUploadKey(key) ?? deriveJobId(bucket, key, eTag ?? '');
    targets.push({ jobId, bucket, key, etag: eTag, size, via: 'event' });
  }
  return targets;
}
