import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { newJobId, uploadKey } from '@media-server/jobs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess } from './helpers.ts';
import { commOf, descendants, isRunning } from './process-tree.ts';

// Long enough (x264 medium, 640x360) that the transcode is still running when the worker is killed.
const CLIP = { seconds: 10, size: '640x360', rate: 30 };

describe('kill -9 of a worker mid-transcode leaves no ffmpeg behind', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let clip: Buffer;
  let aws: TestAws | undefined;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    scratch = await scratchDir();
    await makeClip(join(scratch.dir, 'clip.mp4'), CLIP);
    clip = await readFile(join(scratch.dir, 'clip.mp4'));
  });

  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
    await aws?.stop();
    aws = undefined;
  });

  afterAll(async () => {
    await scratch?.cleanup();
  });

  for (const sandbox of ['required', 'off'] as const) {
    it(`FFMPEG_SANDBOX=${sandbox}: its ffmpeg is gone within 1 s, the next worker removes its temp dir`, async () => {
      // Prepare: one worker transcoding a clip.
      aws = await startTestAws({ visibilityTimeout: 60 });
      const tempDir = join(scratch.dir, `temp-${sandbox}`);
      const env = {
        ...aws.env,
        WORKER_CONCURRENCY: '1',
        WORKER_VIDEO_PRESETS: 'mp4',
        WORKER_TEMP_DIR: tempDir,
        FFMPEG_SANDBOX: sandbox,
      };
      const worker = await WorkerProcess.start({ ...env, WORKER_ID: `victim-${sandbox}` });
      workers.push(worker);
      const jobId = newJobId();
      await aws.s3.send(
        new PutObjectCommand({ Bucket: aws.bucket, Key: uploadKey(jobId, 'clip.mp4'), Body: clip }),
      );
      await worker.waitForLog((line) => line.msg === 'preset started' && line.jobId === jobId, 60_000);
      const workerPid = worker.child.pid ?? 0;
      let tree: number[] = [];
      await expect
        .poll(
          async () => {
            tree = await descendants(workerPid);
            const names = await Promise.all(tree.map((pid) => commOf(pid)));
            return names.filter((name) => name === 'ffmpeg').length;
          },
          { timeout: 20_000, interval: 50 },
        )
        .toBe(1);
      const jobDirs = (await readdir(tempDir)).filter((name) => name.startsWith(`w${workerPid}-`));
      expect(jobDirs).toHaveLength(1);

      // Act
      worker.child.kill('SIGKILL');
      await worker.exited;

      // Assess: everything the worker started (ffmpeg, and bwrap when sandboxed) dies with it.
      await expect
        .poll(async () => (await Promise.all(tree.map((pid) => isRunning(pid)))).some(Boolean), {
          timeout: 1000,
          interval: 20,
        })
        .toBe(false);
      // The replacement worker finds the dead worker's dir unused and removes it before it starts.
      const next = await WorkerProcess.start({ ...env, WORKER_ID: `next-${sandbox}` });
      workers.push(next);
      expect(await readdir(tempDir)).not.toContain(jobDirs[0]);
      expect(
        next.logs.some(
          (line) => line.msg === 'removed a temp dir left by a dead worker' && line.dir === jobDirs[0],
        ),
      ).toBe(true);
    });
  }
});
