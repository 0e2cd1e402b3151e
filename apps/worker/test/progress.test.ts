import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type JobStatus, newJobId, uploadKey } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess } from './helpers.ts';

describe('job progress, as the status documents of a real job show it', () => {
  let aws: TestAws;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    aws = await startTestAws();
    scratch = await scratchDir();
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 6, size: '640x360', rate: 30 });
  });
  afterAll(async () => {
    await aws?.stop();
    await scratch?.cleanup();
  });

  it('is monotonic 0 → 100 across the whole job, with an ETA, and reaches 100 only with succeeded', async () => {
    // Prepare: a worker that writes progress often, three presets of very different cost.
    const worker = await WorkerProcess.start({
      ...aws.env,
      WORKER_PROGRESS_INTERVAL_MS: '100',
      WORKER_VIDEO_PRESETS: 'poster,mp4,sprite',
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

      // Act: read the status document while the job runs.
      const seen: JobStatus[] = [];
      const deadline = Date.now() + 90_000;
      for (;;) {
        const status = await aws.store.readStatus(jobId).catch(() => undefined);
        if (status !== undefined && status.updatedAt !== seen.at(-1)?.updatedAt) seen.push(status);
        if (status?.state === 'succeeded' || status?.state === 'failed') break;
        if (Date.now() > deadline) throw new Error(`job did not finish: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      // Assess
      const final = seen.at(-1);
      expect(final?.state).toBe('succeeded');
      expect(final?.progress?.percent).toBe(100);
      const running = seen.filter((s) => s.state === 'processing' && s.progress !== undefined);
      const percents = running.map((s) => s.progress?.percent ?? Number.NaN);
      expect(percents.length).toBeGreaterThan(3);
      for (let i = 1; i < percents.length; i += 1) {
        expect(percents[i], `percents: ${percents.join(', ')}`).toBeGreaterThanOrEqual(percents[i - 1] ?? 0);
      }
      expect(Math.max(...percents)).toBeLessThan(100);
      // The presets run in their own share of the range: the job passes through the middle while transcoding.
      expect(running.some((s) => s.progress?.stage === 'transcoding' && (s.progress.percent ?? 0) > 20)).toBe(
        true,
      );
      expect(running.some((s) => typeof s.progress?.etaSeconds === 'number')).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});
