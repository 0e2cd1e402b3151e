import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type JobSpec, newJobId, uploadKey } from '@media-server/jobs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.ts';
import { Reconciler } from '../src/reconciler.ts';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess, waitForStatus } from './helpers.ts';
import { startTcpProxy } from './tcp-proxy.ts';

const MINUTE = 60_000;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('reconciler during an SQS outage', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await startTestAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it('logs one line and stops the pass instead of one warning per job, and leaves the jobs for the next pass', async () => {
    // Prepare: 12 stale jobs whose notifications were lost; SQS cannot be reached.
    const jobIds: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const jobId = newJobId();
      const spec: JobSpec = {
        schemaVersion: 1,
        jobId,
        createdAt: new Date().toISOString(),
        source: { key: uploadKey(jobId, 'clip.mp4') },
      };
      await aws.store.writeSpec(spec);
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: spec.source.key, Body: 'x' }));
      jobIds.push(jobId);
    }
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const deadSqs = new SQSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const during = new Reconciler({
      store: aws.store,
      sqs: deadSqs,
      queueUrl: aws.queueUrl,
      staleMinutes: 10,
      log,
      metrics: createMetrics(),
    });

    // Act
    const result = await during.reconcile(Date.now() + 11 * MINUTE);
    deadSqs.destroy();

    // Assess: one warning, the pass interrupted, no job counted as re-enqueued.
    const warnings = lines.filter((line) => Number(line.level) >= 40);
    expect(warnings.map((line) => line.msg)).toEqual([
      'reconcile pass stopped: S3 or SQS unreachable; pausing',
    ]);
    expect(result.interrupted).toBeDefined();
    expect(result.reenqueued).toEqual([]);
    for (const jobId of jobIds) expect((await aws.store.readStatus(jobId))?.reenqueued ?? 0).toBe(0);

    // Once SQS answers, the next pass re-enqueues every one of them.
    const after = new Reconciler({
      store: aws.store,
      sqs: aws.sqs,
      queueUrl: aws.queueUrl,
      staleMinutes: 10,
      log,
      metrics: createMetrics(),
    });
    const next = await after.reconcile(Date.now() + 11 * MINUTE);
    expect(next.reenqueued.sort()).toEqual([...jobIds].sort());
  });
});

describe('a crashed worker', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await scratchDir();
  });
  afterAll(async () => {
    await scratch?.cleanup();
  });

  it('its job comes back after the worker’s short visibility timeout, not the queue’s (120 s here)', async () => {
    // Prepare: a queue whose own visibility timeout is long; a clip whose transcode lasts a while.
    const aws = await startTestAws({ visibilityTimeout: 120 });
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 10, size: '640x360', rate: 30 });
    const common = { ...aws.env, WORKER_CONCURRENCY: '1', WORKER_VIDEO_PRESETS: 'mp4' };
    const holder = await WorkerProcess.start({ ...common, WORKER_ID: 'holder' });
    let peer: WorkerProcess | undefined;
    try {
      const jobId = newJobId();
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: uploadKey(jobId, 'clip.mp4'),
          Body: await readFile(join(scratch.dir, 'clip.mp4')),
        }),
      );
      await holder.waitForLog((line) => line.msg === 'preset started' && line.jobId === jobId, 30_000);

      // Act: kill -9 the holder, start a peer.
      const killedAt = Date.now();
      holder.child.kill('SIGKILL');
      await holder.exited;
      peer = await WorkerProcess.start({ ...common, WORKER_ID: 'peer' });

      // Assess: the peer takes it over well before the queue's 120 s would let it.
      const started = await peer.waitForLog(
        (line) => line.msg === 'job started' && line.jobId === jobId,
        75_000,
      );
      expect(started).toBeDefined();
      console.log(
        `kill -9 → peer started the job after ${Date.parse(String(started.time)) - killedAt} ms (queue visibility 120 s)`,
      );
      const done = await waitForStatus(aws.store, jobId, (s) => s.state === 'succeeded', 90_000);
      expect(done.worker).toBeUndefined();
    } finally {
      await peer?.stop();
      await holder.stop();
      await aws.stop();
    }
  }, 200_000);
});

describe('an S3 and SQS outage in the middle of a job', () => {
  it('logs the job’s failure with its id, and the message comes back as soon as SQS answers again', async () => {
    // Prepare: the worker reaches S3 and SQS through proxies the test can cut; its visibility timeout is
    // long, so only a retried hand-back can bring the message back soon.
    const aws = await startTestAws();
    const s3Proxy = await startTcpProxy(aws.aws.s3Endpoint);
    const sqsProxy = await startTcpProxy(aws.aws.sqsEndpoint);
    const scratch = await scratchDir();
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 10, size: '640x360', rate: 30 });
    const worker = await WorkerProcess.start({
      ...aws.env,
      AWS_ENDPOINT_URL_S3: s3Proxy.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsProxy.endpoint,
      JOBS_QUEUE_URL: `${sqsProxy.endpoint}${new URL(aws.queueUrl).pathname}`,
      WORKER_VISIBILITY_TIMEOUT_SECONDS: '300',
      WORKER_CONCURRENCY: '1',
      WORKER_VIDEO_PRESETS: 'mp4',
    });
    try {
      const jobId = newJobId();
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: uploadKey(jobId, 'clip.mp4'),
          Body: await readFile(join(scratch.dir, 'clip.mp4')),
        }),
      );
      await worker.waitForLog((line) => line.msg === 'preset started' && line.jobId === jobId, 60_000);

      // Act: the outage starts mid-transcode and ends once the hand-back has failed.
      s3Proxy.cut();
      sqsProxy.cut();
      const handBackFailed = await worker.waitForLog(
        (line) => line.msg === 'queue consumer error' && line.code === 'CHANGE_VISIBILITY_FAILED',
        90_000,
      );
      s3Proxy.restore();
      sqsProxy.restore();

      // Assess: the failure lines name the job; the job then runs again and succeeds.
      expect(handBackFailed.jobIds).toEqual([jobId]);
      const failure = worker.logs.find(
        (line) =>
          line.jobId === jobId &&
          Number(line.level) >= 40 &&
          /status could not be written/.test(String(line.msg)),
      );
      expect(failure, JSON.stringify(worker.logs.filter((line) => Number(line.level) >= 40))).toBeDefined();
      const handedBack = await worker.waitForLog(
        (line) =>
          line.msg === 'message handed back' && Array.isArray(line.jobIds) && line.jobIds.includes(jobId),
        30_000,
      );
      expect(handedBack.reason).toBe('failure');
      const done = await waitForStatus(aws.store, jobId, (s) => s.state === 'succeeded', 120_000);
      expect(done.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await worker.stop();
      await s3Proxy.stop();
      await sqsProxy.stop();
      await scratch.cleanup();
      await aws.stop();
    }
  }, 300_000);
});
