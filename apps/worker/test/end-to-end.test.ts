import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { deriveJobId, type JobSpec, newJobId, uploadKey, verifyWebhookSignature } from '@media-server/jobs';
import { probe } from '@media-server/media-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeAudio,
  makeClip,
  makeStill,
  queueCounts,
  scratchDir,
  startTestAws,
  type TestAws,
  WorkerProcess,
  waitForStatus,
} from './helpers.ts';

describe('end to end: presigned upload → worker → outputs', () => {
  let aws: TestAws;
  let worker: WorkerProcess;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let receiver: Server;
  const webhooks: Array<{ event: string; body: string; signature: string }> = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        webhooks.push({
          event: String(request.headers['x-webhook-event']),
          body,
          signature: String(request.headers['x-signature']),
        });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    aws = await startTestAws();
    scratch = await scratchDir();
    worker = await WorkerProcess.start({ ...aws.env, WORKER_CONCURRENCY: '1' });
  });

  afterAll(async () => {
    await worker?.stop();
    await aws?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await scratch?.cleanup();
  });

  it('processes a clip uploaded with a presigned PUT into probing mp4, HLS, poster and sprite outputs', async () => {
    // Prepare: the spec the API writes, then a presigned PUT as a client would use it.
    const clip = join(scratch.dir, 'clip.mp4');
    await makeClip(clip, { seconds: 2, size: '320x240' });
    const jobId = newJobId();
    const key = uploadKey(jobId, "my clip's first+take.mp4");
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const spec: JobSpec = {
      schemaVersion: 1,
      jobId,
      createdAt: new Date().toISOString(),
      source: { key },
      webhookUrl,
    };
    await aws.store.writeSpec(spec);
    const body = await readFile(clip);
    const url = await getSignedUrl(
      aws.s3,
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: key,
        ContentType: 'video/mp4',
        ContentLength: body.length,
      }),
      { expiresIn: 300 },
    );

    // Act
    const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'video/mp4' } });
    expect(response.status).toBe(200);
    const status = await waitForStatus(
      aws.store,
      jobId,
      (s) => s.state === 'succeeded' || s.state === 'failed',
      90_000,
    );

    // Assess: succeeded, with every output stored and probing as what it claims to be.
    expect(status.state, JSON.stringify(status.error)).toBe('succeeded');
    expect(status.source.key).toBe(key);
    expect(status.probe).toMatchObject({ kind: 'video' });
    const presets = new Set(status.outputs.map((output) => output.preset));
    expect([...presets].sort()).toEqual(['hls', 'mp4', 'poster', 'sprite']);
    for (const output of status.outputs) {
      expect(output.key.startsWith(`outputs/${jobId}/`)).toBe(true);
      const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: output.key }));
      const bytes = await object.Body?.transformToByteArray();
      expect(bytes?.length).toBe(output.size);
      if (['mp4', 'poster', 'sprite'].includes(output.kind)) {
        const local = join(scratch.dir, `${output.kind}-${output.key.split('/').pop()}`);
        await import('node:fs/promises').then((fs) => fs.writeFile(local, bytes ?? new Uint8Array()));
        const info = await probe(local);
        expect(info.video?.width).toBeGreaterThan(0);
        if (output.kind === 'mp4') {
          expect(info.video?.codec).toBe('h264');
          expect(info.audio?.codec).toBe('aac');
          expect(info.durationSeconds).toBeGreaterThan(1.5);
        }
      }
      if (output.kind === 'hls-master') {
        expect(new TextDecoder().decode(bytes)).toContain('#EXT-X-STREAM-INF');
      }
    }
    // Every object under outputs/ is either listed or an HLS segment / playlist the listed master references.
    const listed = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: `outputs/${jobId}/` }),
    );
    expect(listed.KeyCount).toBeGreaterThanOrEqual(status.outputs.length);
    expect(status.timings.finishedAt).toBeDefined();
    expect(status.worker).toBeUndefined();

    // Signed webhooks for each state change, recorded in the status document.
    await expect
      .poll(() => webhooks.map((hook) => hook.event), { timeout: 10_000 })
      .toEqual(['job.processing', 'job.succeeded']);
    for (const hook of webhooks) {
      expect(verifyWebhookSignature('test-secret', hook.body, hook.signature)).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({ jobId });
    }
    const recorded = await waitForStatus(aws.store, jobId, (s) => (s.webhookDeliveries?.length ?? 0) === 2);
    expect(recorded.webhookDeliveries?.map((delivery) => [delivery.event, delivery.ok])).toEqual([
      ['job.processing', true],
      ['job.succeeded', true],
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${worker.httpPort}/metrics`)).text();
    expect(metrics).toContain('media_worker_jobs_total{outcome="succeeded"} 1');
    const ready = await fetch(`http://127.0.0.1:${worker.httpPort}/readyz`);
    expect(ready.status).toBe(200);
    // The job says which ffmpeg ran it and how it was isolated; /readyz says the same.
    const { ffmpeg } = (await ready.json()) as { ffmpeg: unknown };
    expect(status.ffmpeg).toMatchObject({
      build: expect.stringMatching(/^(system|bundled|custom)$/),
      isolation: process.env.FFMPEG_SANDBOX === 'off' ? 'none' : 'bwrap',
    });
    expect(ffmpeg).toEqual(status.ffmpeg);

    // Outputs never trigger jobs: only the one upload was ever processed, the queue is empty.
    const started = worker.logs.filter((line) => line.msg === 'job started');
    expect(started.map((line) => line.jobId)).toEqual([jobId]);
    await expect
      .poll(() => queueCounts(aws.sqs, aws.queueUrl), { timeout: 10_000 })
      .toEqual({
        visible: 0,
        inFlight: 0,
        delayed: 0,
      });
  });

  it('picks the presets by media kind: image variants for a picture, AAC + peaks for audio', async () => {
    // Prepare
    const picture = join(scratch.dir, 'picture.png');
    const sound = join(scratch.dir, 'sound.wav');
    await makeStill(picture);
    await makeAudio(sound);

    // Act: uploads that did not come through the API (derived job ids, default presets).
    const ids: string[] = [];
    for (const [key, file] of [
      ['uploads/holiday picture.png', picture],
      ['uploads/voice memo.wav', sound],
    ] as const) {
      const out = await aws.s3.send(
        new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: await readFile(file) }),
      );
      ids.push(deriveJobId(aws.bucket, key, out.ETag ?? ''));
    }
    const [image, audio] = await Promise.all(
      ids.map((jobId) =>
        waitForStatus(aws.store, jobId, (s) => s.state === 'succeeded' || s.state === 'failed', 60_000),
      ),
    );

    // Assess
    expect(image?.state, JSON.stringify(image?.error)).toBe('succeeded');
    expect(image?.probe).toMatchObject({ kind: 'image' });
    expect(image?.outputs.length).toBeGreaterThanOrEqual(2);
    for (const output of image?.outputs ?? []) {
      expect(output).toMatchObject({ preset: 'image', kind: 'image' });
      expect(output.width).toBeLessThanOrEqual(640);
    }
    expect(audio?.state, JSON.stringify(audio?.error)).toBe('succeeded');
    expect(audio?.probe).toMatchObject({ kind: 'audio' });
    expect(audio?.outputs.map((output) => output.kind).sort()).toEqual(['audio', 'peaks']);
    expect(audio?.outputs.find((output) => output.kind === 'audio')?.durationSeconds).toBeGreaterThan(1.5);
  });
});
