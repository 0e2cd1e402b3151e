import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { deriveJobId, type JobStatus } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeClip,
  makePixelBomb,
  queueCounts,
  scratchDir,
  startTestAws,
  type TestAws,
  WorkerProcess,
  waitForStatus,
} from './helpers.ts';

const terminal = (status: JobStatus) => status.state === 'succeeded' || status.state === 'failed';

describe('odd keys and bad inputs', () => {
  let aws: TestAws;
  let worker: WorkerProcess;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let clip: Buffer;

  beforeAll(async () => {
    aws = await startTestAws();
    scratch = await scratchDir();
    await makeClip(join(scratch.dir, 'clip.mp4'), { seconds: 1 });
    clip = await readFile(join(scratch.dir, 'clip.mp4'));
    worker = await WorkerProcess.start({
      ...aws.env,
      WORKER_CONCURRENCY: '2',
      WORKER_VIDEO_PRESETS: 'poster',
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await aws?.stop();
    await scratch?.cleanup();
  });

  async function upload(key: string, body: Uint8Array | string): Promise<string> {
    const out = await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: body }));
    return deriveJobId(aws.bucket, key, out.ETag ?? '');
  }

  it('processes keys with spaces, quotes, unicode and + (jobs keyed by bucket + key + ETag)', async () => {
    // Prepare / Act: uploads that did not come through the API, so their job ids are derived.
    const keys = ["uploads/my clip's take.mp4", 'uploads/vidéo ünïcode 日本.mp4', 'uploads/a+b=c&d%20e.mp4'];
    const jobIds = await Promise.all(keys.map((key) => upload(key, clip)));

    // Assess
    for (const [index, jobId] of jobIds.entries()) {
      const status = await waitForStatus(aws.store, jobId, terminal);
      expect(status.state, JSON.stringify(status.error)).toBe('succeeded');
      expect(status.source.key).toBe(keys[index]);
      expect(status.outputs.map((output) => output.kind)).toEqual(['poster']);
    }
  });

  it('fails a 0-byte upload, a text file named .mp4 and a pixel bomb clearly and permanently, and stays up', async () => {
    // Prepare
    const bomb = join(scratch.dir, 'bomb.png');
    await makePixelBomb(bomb, 16_000, 16_000);

    // Act
    const empty = await upload('uploads/empty.mp4', new Uint8Array());
    const text = await upload(
      'uploads/notes.mp4',
      'this is not a video, just text pretending to be one\n'.repeat(50),
    );
    const pixels = await upload('uploads/bomb.png', await readFile(bomb));

    // Assess
    const emptyStatus = await waitForStatus(aws.store, empty, terminal);
    expect(emptyStatus).toMatchObject({ state: 'failed', error: { code: 'INPUT_EMPTY', permanent: true } });
    const textStatus = await waitForStatus(aws.store, text, terminal);
    expect(textStatus).toMatchObject({ state: 'failed', error: { permanent: true } });
    expect(textStatus.error?.code).toMatch(/PROBE_FAILED|UNSUPPORTED_INPUT/);
    expect(textStatus.error?.message).toContain('Invalid data');
    expect(textStatus.error?.message).not.toContain('/media-worker/'); // no local paths in client-facing errors
    const bombStatus = await waitForStatus(aws.store, pixels, terminal);
    expect(bombStatus).toMatchObject({
      state: 'failed',
      error: { code: 'UNSUPPORTED_INPUT', permanent: true },
    });
    expect(bombStatus.error?.message).toMatch(/16000|pixels|wider|size/i);
    for (const status of [emptyStatus, textStatus, bombStatus]) {
      expect(status.outputs).toEqual([]);
      expect(status.attempts).toBe(1);
    }
    // No retry loop: the messages are gone (deleted, not dead-lettered) and the worker still answers.
    await expect
      .poll(() => queueCounts(aws.sqs, aws.queueUrl), { timeout: 10_000 })
      .toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect((await queueCounts(aws.sqs, aws.dlqUrl)).visible).toBe(0);
    const health = await fetch(`http://127.0.0.1:${worker.httpPort}/healthz`);
    expect(health.status).toBe(200);
    expect(worker.child.exitCode).toBeNull();
  });

  it('acknowledges s3:TestEvent, keys outside uploads/ and unrecognised bodies without work', async () => {
    // Prepare: what S3 sends when a notification is configured, an event for an output key (as an unfiltered
    // notification would deliver), and garbage.
    const testEvent = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: new Date().toISOString(),
      Bucket: 'media',
    });
    const outputEvent = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          awsRegion: 'us-east-1',
          s3: {
            bucket: { name: 'media' },
            object: { key: 'outputs/x/poster/poster.jpg', size: 10, eTag: 'abc' },
          },
        },
      ],
    });
    const startedBefore = worker.logs.filter((line) => line.msg === 'job started').length;

    // Act
    for (const body of [testEvent, outputEvent, 'not json at all']) {
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: body }));
    }

    // Assess: all three consumed once, no job started, nothing dead-lettered, no jobs/ documents for them.
    await expect
      .poll(() => queueCounts(aws.sqs, aws.queueUrl), { timeout: 10_000 })
      .toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(worker.logs.filter((line) => line.msg === 'job started').length).toBe(startedBefore);
    expect((await queueCounts(aws.sqs, aws.dlqUrl)).visible).toBe(0);
    // Only the garbage is worth an operator's attention: one warning that names it.
    const dropped = () => worker.logs.filter((line) => String(line.msg).startsWith('message is neither'));
    await expect.poll(() => dropped().length, { timeout: 10_000 }).toBe(1);
    expect(dropped()[0]).toMatchObject({ level: 40, body: 'not json at all' });
    const jobs = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: 'jobs/', Delimiter: '/' }),
    );
    expect(jobs.CommonPrefixes?.length).toBe(6);
  });
});
