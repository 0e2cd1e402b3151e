import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type JobSpec, newJobId, parseJobMessage, uploadKey } from '@media-server/jobs';
import { startLocalAws } from '@media-server/local-aws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.ts';
import { Reconciler } from '../src/reconciler.ts';
import { waitForQueue } from '../src/worker.ts';
import {
  makeClip,
  queueCounts,
  scratchDir,
  startTestAws,
  type TestAws,
  WorkerProcess,
  waitForStatus,
} from './helpers.ts';

const silent = pino({ level: 'silent' });
const MINUTE = 60_000;

describe('reconciler', () => {
  let aws: TestAws;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let clip: Buffer;
  let reconciler: Reconciler;

  beforeAll(async () => {
    aws = await startTestAws();
    scratch = await scratchDir();
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 1 });
    clip = await readFile(join(scratch.dir, 'clip.mp4'));
    reconciler = new Reconciler({
      store: aws.store,
      sqs: aws.sqs,
      queueUrl: aws.queueUrl,
      staleMinutes: 10,
      log: silent,
      metrics: createMetrics(),
    });
  });

  afterAll(async () => {
    await aws?.stop();
    await scratch?.cleanup();
  });

  async function createJob(options: { upload: boolean }): Promise<string> {
    const jobId = newJobId();
    const spec: JobSpec = {
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key: uploadKey(jobId, 'clip.mp4') },
    };
    await aws.store.writeSpec(spec);
    if (options.upload)
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: spec.source.key, Body: clip }));
    return jobId;
  }

  it('re-enqueues a stale upload once, leaves live and unfinished ones alone, and the job then completes', async () => {
    // Prepare: an upload whose notification was lost, one still awaiting its upload, one held by a live worker.
    const lost = await createJob({ upload: true });
    const awaiting = await createJob({ upload: false });
    const live = await createJob({ upload: true });
    await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: aws.queueUrl }));
    const now = Date.now();
    await aws.store.updateStatus(live, () => ({
      schemaVersion: 1,
      jobId: live,
      state: 'processing',
      source: { bucket: aws.bucket, key: uploadKey(live, 'clip.mp4') },
      attempts: 1,
      outputs: [],
      timings: {},
      worker: { id: 'elsewhere', heartbeatAt: new Date(now + 11 * MINUTE).toISOString() },
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    }));

    // Act: a pass "11 minutes later" (the clock of the re-enqueue write is the real one), then one right after.
    const first = await reconciler.reconcile(now + 11 * MINUTE);
    const second = await reconciler.reconcile(Date.now() + 1000);

    // Assess
    expect(first.reenqueued).toEqual([lost]);
    expect(second).toMatchObject({ reenqueued: [], failed: [] });
    expect(first.failed).toEqual([]);
    expect((await aws.store.readStatus(lost))?.reenqueued).toBe(1);
    expect(await aws.store.readStatus(awaiting)).toBeUndefined();
    const received = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(received.Messages?.map((message) => parseJobMessage(message.Body ?? ''))).toEqual([
      { type: 'media-server.job', jobId: lost, reason: 'reconciler' },
    ]);

    // The job message runs the job like an S3 event would.
    const worker = await WorkerProcess.start({ ...aws.env, WORKER_VIDEO_PRESETS: 'poster' });
    try {
      const status = await waitForStatus(
        aws.store,
        lost,
        (s) => s.state === 'succeeded' || s.state === 'failed',
      );
      expect(status.state).toBe('succeeded');
      expect(status.reenqueued).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('marks a job failed ("exhausted retries") when it is still stale after its re-enqueue', async () => {
    // Prepare: a job re-enqueued once already, whose worker stopped reporting.
    const jobId = await createJob({ upload: true });
    await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: aws.queueUrl }));
    const now = Date.now();
    await aws.store.updateStatus(jobId, () => ({
      schemaVersion: 1,
      jobId,
      state: 'processing',
      source: { bucket: aws.bucket, key: uploadKey(jobId, 'clip.mp4') },
      attempts: 5,
      outputs: [],
      timings: {},
      worker: { id: 'dead', heartbeatAt: new Date(now).toISOString() },
      reenqueued: 1,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    }));

    // Act
    const result = await reconciler.reconcile(now + 11 * MINUTE);

    // Assess
    expect(result.failed).toEqual([jobId]);
    expect(await aws.store.readStatus(jobId)).toMatchObject({
      state: 'failed',
      error: { code: 'EXHAUSTED_RETRIES', permanent: true },
    });
    expect((await queueCounts(aws.sqs, aws.queueUrl)).visible).toBe(0);
  });
});

describe('transient failures', () => {
  let aws: TestAws;
  let scratch: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    aws = await startTestAws({ maxReceiveCount: 2 });
    scratch = await scratchDir();
  });

  afterAll(async () => {
    await aws?.stop();
    await scratch?.cleanup();
  });

  it('retries with backoff, then marks the job failed "exhausted retries" and leaves the message to the DLQ', async () => {
    // Prepare: an ffmpeg that always fails without blaming the input (a runtime failure).
    const worker = await WorkerProcess.start({
      ...aws.env,
      FFMPEG_PATH: '/bin/false',
      WORKER_VIDEO_PRESETS: 'poster',
    });
    try {
      await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 1 });
      const jobId = newJobId();

      // Act
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: uploadKey(jobId, 'clip.mp4'),
          Body: await readFile(join(scratch.dir, 'clip.mp4')),
        }),
      );

      // Assess: first a retryable error, then failed for good on the last receive, then the DLQ.
      const retrying = await waitForStatus(
        aws.store,
        jobId,
        (s) => s.state === 'queued' || s.state === 'failed',
      );
      expect(retrying).toMatchObject({ state: 'queued', error: { permanent: false } });
      const failed = await waitForStatus(aws.store, jobId, (s) => s.state === 'failed');
      expect(failed).toMatchObject({
        state: 'failed',
        attempts: 2,
        error: { code: 'EXHAUSTED_RETRIES', permanent: true },
      });
      await expect
        .poll(() => queueCounts(aws.sqs, aws.dlqUrl), { timeout: 30_000 })
        .toMatchObject({ visible: 1 });
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await worker.stop();
    }
  });
});

describe('start-up', () => {
  it('exits with code 2 and one line per bad setting', async () => {
    // Act
    const worker = await WorkerProcess.start(
      { MEDIA_BUCKET: 'media', WORKER_CONCURRENCY: '0', WEBHOOK_SECRET: 'x' },
      { waitReady: false },
    );
    const exit = await worker.exited;

    // Assess
    expect(exit.code).toBe(2);
    expect(worker.stderr).toContain('invalid configuration');
    expect(worker.stderr).toMatch(/JOBS_QUEUE_URL \(or AWS_SQS_READY_QUEUE_URL\) is required/);
    expect(worker.stderr).toMatch(/WORKER_CONCURRENCY must be an integer from 1 to 64, got "0"/);
  });

  it('removes temp dirs left by dead worker processes, and only those', async () => {
    // Prepare: one dir of a pid that does not run, one of a live process (this one).
    const aws = await startTestAws();
    const scratch = await scratchDir();
    const dead = join(scratch.dir, 'w999999999-01jobjobjobjobjobjobjobjob-abc');
    const live = join(scratch.dir, `w${process.pid}-01jobjobjobjobjobjobjobjob-def`);
    await mkdir(join(dead, 'out'), { recursive: true });
    await mkdir(live);
    try {
      // Act
      const worker = await WorkerProcess.start({ ...aws.env, WORKER_TEMP_DIR: scratch.dir });
      await worker.stop();

      // Assess
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      await aws.stop();
      await scratch.cleanup();
    }
  });

  it('waits for local-aws when started before it', async () => {
    // Prepare: a free port nothing listens on yet.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as { port: number };
        server.close(() => resolve(address.port));
      });
    });
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const logged: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(line) });

    // Act: start waiting, then start local-aws half a second later.
    const waiting = waitForQueue(sqs, `http://127.0.0.1:${port}/000000000000/jobs`, {
      retry: true,
      log,
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const aws = await startLocalAws({
      sqsPort: port,
      queues: [{ name: 'jobs', attributes: { VisibilityTimeout: '42' } }],
    });
    try {
      const attributes = await waiting;

      // Assess
      expect(attributes.VisibilityTimeout).toBe('42');
      expect(logged.some((line) => line.includes('waiting for local-aws'))).toBe(true);
    } finally {
      sqs.destroy();
      await aws.stop();
    }
  });
});
