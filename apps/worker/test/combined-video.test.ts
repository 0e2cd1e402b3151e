import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type JobSpec, type JobStatus, newJobId, uploadKey } from '@media-server/jobs';
import { probe } from '@media-server/media-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, scratchDir, startTestAws, type TestAws, WorkerProcess, waitForStatus } from './helpers.ts';

describe('default video job: one combined ffmpeg run', { timeout: 240_000 }, () => {
  let aws: TestAws;
  let worker: WorkerProcess;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let clip: Buffer;

  beforeAll(async () => {
    aws = await startTestAws();
    scratch = await scratchDir();
    worker = await WorkerProcess.start({ ...aws.env, WORKER_CONCURRENCY: '1' });
    const path = join(scratch.dir, 'clip.mp4');
    await makeClip(path, { seconds: 3, size: '320x240' });
    clip = await import('node:fs/promises').then((fs) => fs.readFile(path));
  });

  afterAll(async () => {
    await worker?.stop();
    await aws?.stop();
    await scratch?.cleanup();
  });

  async function runJob(mp4: JobSpec['mp4']): Promise<JobStatus> {
    const jobId = newJobId();
    const key = uploadKey(jobId, 'clip.mp4');
    await aws.store.writeSpec({
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key },
      ...(mp4 === undefined ? {} : { mp4 }),
    });
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: clip }));
    return waitForStatus(aws.store, jobId, (s) => s.state === 'succeeded' || s.state === 'failed', 180_000);
  }

  // The ladder is published live under the attempt's own prefix (`hls-<attempt>/`): named `hls/` here.
  const relativeKeys = (status: JobStatus) =>
    status.outputs.map(
      (o) =>
        `${o.preset} ${o.kind} ${o.key.slice(`outputs/${status.jobId}/`.length).replace(/^hls-[a-z0-9]+\//, 'hls/')}`,
    );

  it('makes the same outputs (keys, presets) as one run per preset, in one ffmpeg run', async () => {
    // Act
    const combined = await runJob(undefined);
    const separate = await runJob('separate');

    // Assess: both succeeded with the same set of outputs under the same keys
    expect(combined.state, JSON.stringify(combined.error)).toBe('succeeded');
    expect(separate.state, JSON.stringify(separate.error)).toBe('succeeded');
    expect(relativeKeys(combined)).toEqual(relativeKeys(separate));
    expect(relativeKeys(combined)).toEqual(
      expect.arrayContaining([
        'mp4 mp4 mp4/video.mp4',
        'hls hls-master hls/master.m3u8',
        'poster poster poster/poster.jpg',
        'sprite vtt sprite/storyboard.vtt',
        'sprite sprite sprite/storyboard-0.jpg',
      ]),
    );
    // One ffmpeg run for the default job, four for the separate one (HLS first: it is published live)
    const started = (jobId: string) =>
      worker.logs.filter((l) => l.msg === 'preset started' && l.jobId === jobId).map((l) => l.presets);
    expect(started(combined.jobId)).toEqual([['hls', 'mp4', 'poster', 'sprite']]);
    expect(started(separate.jobId)).toEqual([['hls'], ['mp4'], ['poster'], ['sprite']]);
    // Both ways the ladder was playable while the job ran, under the attempt's prefix
    for (const status of [combined, separate]) {
      expect(Date.parse(status.playableAt ?? '')).toBeLessThan(Date.parse(status.timings.finishedAt ?? ''));
      expect(status.outputs.find((o) => o.kind === 'hls-master')?.key).toMatch(
        new RegExp(`^outputs/${status.jobId}/hls-[a-z0-9]+/master\\.m3u8$`),
      );
    }
    // The combined MP4 is a faststart H.264 + AAC file as long as the source
    const mp4 = combined.outputs.find((o) => o.kind === 'mp4');
    expect(mp4).toMatchObject({ contentType: 'video/mp4', width: 320, height: 240 });
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: mp4?.key }));
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    expect(bytes.indexOf('moov')).toBeGreaterThan(0);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    const local = join(scratch.dir, 'combined.mp4');
    await import('node:fs/promises').then((fs) => fs.writeFile(local, bytes));
    const info = await probe(local);
    expect(info.video?.codec).toBe('h264');
    expect(info.audio?.codec).toBe('aac');
    expect(info.durationSeconds).toBeGreaterThan(2.5);
    // Progress ended at 100 %
    expect(combined.progress?.percent).toBe(100);
  });
});
