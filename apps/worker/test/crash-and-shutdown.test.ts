import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { jobMessageBody, newJobId, uploadKey } from '@media-server/jobs';
import { probe } from '@media-server/media-pipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  makeClip,
  queueCounts,
  scratchDir,
  startTestAws,
  type TestAws,
  WorkerProcess,
  waitForStatus,
} from './helpers.ts';

// A clip whose mp4 transcode (x264 medium) lasts a few seconds on this machine, so there is time to kill.
const CLIP = { seconds: 10, size: '640x360', rate: 30 };

describe('crashes and shutdowns mid-transcode', () => {
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

  async function startTwoWorkers(testAws: TestAws, env: Record<string, string>): Promise<WorkerProcess[]> {
    const common = { ...testAws.env, WORKER_CONCURRENCY: '1', WORKER_VIDEO_PRESETS: 'mp4', ...env };
    return Promise.all(
      ['a', 'b'].map((name) => WorkerProcess.start({ ...common, WORKER_ID: `worker-${name}` })),
    );
  }

  async function uploadAndWaitForTranscode(
    testAws: TestAws,
  ): Promise<{ jobId: string; holder: WorkerProcess; peer: WorkerProcess }> {
    const jobId = newJobId();
    await testAws.s3.send(
      new PutObjectCommand({ Bucket: testAws.bucket, Key: uploadKey(jobId, 'long take.mp4'), Body: clip }),
    );
    // The holder is the worker that logs the start of the transcode.
    const holder = await Promise.race(
      workers.map((worker) =>
        worker
          .waitForLog((line) => line.msg === 'preset started' && line.jobId === jobId, 30_000)
          .then(() => worker),
      ),
    );
    const peer = workers.find((worker) => worker !== holder);
    if (!holder || !peer) throw new Error('no worker holds the job');
    return { jobId, holder, peer };
  }

  async function assertCompleteMp4(testAws: TestAws, jobId: string): Promise<void> {
    const status = await waitForStatus(
      testAws.store,
      jobId,
      (s) => s.state === 'succeeded' || s.state === 'failed',
      90_000,
    );
    expect(status.state, JSON.stringify(status.error)).toBe('succeeded');
    const mp4 = status.outputs.find((output) => output.kind === 'mp4');
    if (!mp4) throw new Error('no mp4 output');
    const object = await testAws.s3.send(new GetObjectCommand({ Bucket: testAws.bucket, Key: mp4.key }));
    const local = join(scratch.dir, `${jobId}.mp4`);
    await writeFile(local, (await object.Body?.transformToByteArray()) ?? new Uint8Array());
    const info = await probe(local);
    expect(info.video?.codec).toBe('h264');
    expect(info.durationSeconds).toBeGreaterThan(CLIP.seconds - 0.5);
  }

  it('kill -9 of the worker mid-transcode: nothing published, the job completes on the other worker', async () => {
    // Prepare: a short visibility timeout (the worker's own, held by its heartbeat) so the dead worker's
    // message comes back soon.
    aws = await startTestAws({ visibilityTimeout: 4 });
    workers = await startTwoWorkers(aws, { WORKER_VISIBILITY_TIMEOUT_SECONDS: '5' });
    const { jobId, holder, peer } = await uploadAndWaitForTranscode(aws);

    // Act
    holder.child.kill('SIGKILL');
    await holder.exited;

    // Assess: right after the crash nothing is published and the job is not done...
    const afterCrash = await aws.store.readStatus(jobId);
    expect(afterCrash?.state).toBe('processing');
    const outputs = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: `outputs/${jobId}/` }),
    );
    expect(outputs.KeyCount ?? 0).toBe(0);
    // ...then the peer takes the same message over and stores a complete file.
    await assertCompleteMp4(aws, jobId);
    expect(peer.logs.some((line) => line.msg === 'job succeeded' && line.jobId === jobId)).toBe(true);
    await expect
      .poll(() => queueCounts(aws!.sqs, aws!.queueUrl), { timeout: 10_000 })
      .toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('SIGTERM mid-transcode: the message is handed back at once, the peer finishes it, the worker exits 0', async () => {
    // Prepare: a long visibility timeout, so a quick pickup can only come from the hand-back.
    aws = await startTestAws({ visibilityTimeout: 30 });
    workers = await startTwoWorkers(aws, { WORKER_SHUTDOWN_GRACE_MS: '100' });
    const { jobId, holder, peer } = await uploadAndWaitForTranscode(aws);

    // Act
    const signalledAt = Date.now();
    holder.child.kill('SIGTERM');
    const handedBack = await holder.waitForLog((line) => line.msg === 'message handed back', 30_000);
    await peer.waitForLog((line) => line.msg === 'job started' && line.jobId === jobId, 30_000);
    const pickupMs = Date.now() - signalledAt;
    const exit = await holder.exited;

    // Assess
    const handBackMs = Date.parse(String(handedBack.time)) - signalledAt;
    console.log(
      `SIGTERM → message visible again after ${handBackMs} ms, peer started the job after ${pickupMs} ms (visibility timeout 30 s)`,
    );
    expect(handedBack).toMatchObject({ reason: 'stop', visibilityTimeout: 0 });
    // The message went back only after the job (and its ffmpeg) had stopped: no two transcodes overlap.
    const interrupted = holder.logs.findIndex(
      (line) => line.msg === 'job interrupted; message handed back' && line.jobId === jobId,
    );
    expect(interrupted).toBeGreaterThanOrEqual(0);
    expect(interrupted).toBeLessThan(holder.logs.indexOf(handedBack));
    expect(pickupMs).toBeLessThan(15_000);
    expect(exit).toEqual({ code: 0, signal: null });
    await assertCompleteMp4(aws, jobId);
    expect(peer.logs.some((line) => line.msg === 'job succeeded' && line.jobId === jobId)).toBe(true);
  });

  it('never runs a job twice at once: a second message for a job in flight is acknowledged without work', async () => {
    // Prepare
    aws = await startTestAws();
    workers = await startTwoWorkers(aws, {});
    const { jobId } = await uploadAndWaitForTranscode(aws);

    // Act: the API's POST /v1/jobs (or a double S3 delivery) sends a second message for the same job.
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: jobMessageBody(jobId, 'api') }),
    );
    await Promise.race(
      workers.map((worker) =>
        worker.waitForLog((line) => line.msg === 'job needs no work' && line.jobId === jobId, 30_000),
      ),
    );

    // Assess
    await assertCompleteMp4(aws, jobId);
    const logs = workers.flatMap((worker) => worker.logs);
    expect(logs.filter((line) => line.msg === 'job started' && line.jobId === jobId)).toHaveLength(1);
    expect(logs.filter((line) => line.msg === 'job succeeded' && line.jobId === jobId)).toHaveLength(1);
    expect(logs.find((line) => line.msg === 'job needs no work' && line.jobId === jobId)?.reason).toMatch(
      /held-by-(peer|self)/,
    );
  });

  it('keeps the event loop free while ffmpeg runs: every health check is answered', async () => {
    // Prepare
    aws = await startTestAws();
    const worker = await WorkerProcess.start({
      ...aws.env,
      WORKER_CONCURRENCY: '2',
      WORKER_VIDEO_PRESETS: 'mp4,hls',
    });
    workers = [worker];
    const jobIds = [newJobId(), newJobId()];

    // Act: two transcodes at once while /healthz is asked every 20 ms.
    await Promise.all(
      jobIds.map((jobId) =>
        aws!.s3.send(
          new PutObjectCommand({ Bucket: aws!.bucket, Key: uploadKey(jobId, 'clip.mp4'), Body: clip }),
        ),
      ),
    );
    await waitForStatus(aws.store, jobIds[0] ?? '', (s) => s.progress?.stage === 'transcoding', 30_000);
    const metricsUrl = `http://127.0.0.1:${worker.httpPort}/metrics`;
    await (await fetch(metricsUrl)).text(); // a scrape resets the worker's event-loop delay histogram
    const latencies: number[] = [];
    const failures: string[] = [];
    let done = false;
    const finished = Promise.all(
      jobIds.map((jobId) =>
        waitForStatus(aws!.store, jobId, (s) => s.state === 'succeeded' || s.state === 'failed', 90_000),
      ),
    ).finally(() => {
      done = true;
    });
    while (!done) {
      const started = performance.now();
      try {
        const response = await fetch(`http://127.0.0.1:${worker.httpPort}/healthz`, {
          signal: AbortSignal.timeout(5000),
        });
        if (response.status !== 200) failures.push(`status ${response.status}`);
        await response.body?.cancel();
        latencies.push(performance.now() - started);
      } catch (error) {
        failures.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = await finished;
    const metrics = await (await fetch(metricsUrl)).text();
    const lag = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]) * 1000;

    // Assess
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
    const p50 = latencies[Math.floor(latencies.length * 0.5)] ?? Number.NaN;
    console.log(
      `/healthz during transcodes: n=${latencies.length} p50=${p50.toFixed(1)} ms p99=${p99.toFixed(1)} ms max=${latencies.at(-1)?.toFixed(1)} ms; ` +
        `worker event-loop delay p99=${lag('nodejs_eventloop_lag_p99_seconds').toFixed(1)} ms max=${lag('nodejs_eventloop_lag_max_seconds').toFixed(1)} ms`,
    );
    expect(statuses.map((status) => status.state)).toEqual(['succeeded', 'succeeded']);
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(10);
    expect(lag('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
  });
});
