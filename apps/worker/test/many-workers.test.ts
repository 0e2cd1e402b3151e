import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { newJobId, uploadKey } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeClip,
  queueCounts,
  scratchDir,
  startTestAws,
  type TestAws,
  WorkerProcess,
  waitForStatus,
} from './helpers.ts';

// Three worker processes on one queue, 30 jobs. Poster-only presets and 1 s clips keep it to seconds on 2 cores.
describe('three workers, thirty jobs', () => {
  let aws: TestAws;
  let workers: WorkerProcess[] = [];
  let scratch: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    aws = await startTestAws({ visibilityTimeout: 20 });
    scratch = await scratchDir();
    const env = { ...aws.env, WORKER_CONCURRENCY: '1', WORKER_VIDEO_PRESETS: 'poster' };
    workers = await Promise.all(
      [1, 2, 3].map((n) => WorkerProcess.start({ ...env, WORKER_ID: `worker-${n}` })),
    );
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await aws?.stop();
    await scratch?.cleanup();
  });

  it('runs each job exactly once and leaves the queue and the DLQ empty', async () => {
    // Prepare
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 1 });
    const clip = await readFile(join(scratch.dir, 'clip.mp4'));
    const jobIds = Array.from({ length: 30 }, () => newJobId());

    // Act
    await Promise.all(
      jobIds.map((jobId) =>
        aws.s3.send(
          new PutObjectCommand({
            Bucket: aws.bucket,
            Key: uploadKey(jobId, `clip ${jobId}.mp4`),
            Body: clip,
          }),
        ),
      ),
    );

    // Assess
    for (const jobId of jobIds) {
      const status = await waitForStatus(
        aws.store,
        jobId,
        (s) => s.state === 'succeeded' || s.state === 'failed',
        120_000,
      );
      expect(status.state, JSON.stringify(status.error)).toBe('succeeded');
      expect(status.attempts).toBe(1);
    }
    const succeeded = workers.flatMap((worker) => worker.logs.filter((line) => line.msg === 'job succeeded'));
    const perJob = new Map<string, number>();
    for (const line of succeeded) perJob.set(String(line.jobId), (perJob.get(String(line.jobId)) ?? 0) + 1);
    expect([...perJob.keys()].sort()).toEqual([...jobIds].sort());
    expect([...perJob.values()].every((count) => count === 1)).toBe(true);
    const started = workers.flatMap((worker) => worker.logs.filter((line) => line.msg === 'job started'));
    expect(started.length).toBe(30);
    await expect
      .poll(() => queueCounts(aws.sqs, aws.queueUrl), { timeout: 10_000 })
      .toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await queueCounts(aws.sqs, aws.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    console.log(
      `jobs per worker: ${workers.map((worker) => worker.logs.filter((line) => line.msg === 'job succeeded').length).join(', ')}`,
    );
  });
});
