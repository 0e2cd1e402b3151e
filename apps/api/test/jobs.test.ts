import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { JobEvent } from '@media-server/client';
import { type JobStatus, JobStore, parseJobMessage } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, type Harness, startHarness } from './harness.ts';
import { putBytes } from './put-bytes.ts';

/** A status document as the worker writes it. */
function status(
  jobId: string,
  key: string,
  patch: Partial<JobStatus>,
): (current: JobStatus | undefined) => JobStatus {
  return (current) => ({
    schemaVersion: 1,
    jobId,
    state: 'processing',
    source: { bucket: 'media', key },
    attempts: 1,
    outputs: [],
    timings: {},
    createdAt: current?.createdAt ?? new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    ...patch,
  });
}

describe('jobs and their events', () => {
  let h: Harness;
  let store: JobStore;
  beforeAll(async () => {
    h = await startHarness({ ssePollMs: 100, sseHeartbeatMs: 1000 });
    store = new JobStore({ s3: h.s3, bucket: 'media' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('POST /v1/jobs: a job for an object already in the bucket, announced on the jobs queue', async () => {
    await h.putVideo('library/talk.mp4', 500);
    const job = await h.client.jobs.create({ key: 'library/talk.mp4', presets: ['poster'] });
    expect(job).toMatchObject({
      state: 'queued',
      source: { key: 'library/talk.mp4', size: 500 },
      presets: ['poster'],
    });
    const message = await h.receiveUntil((body) => parseJobMessage(body)?.jobId === job.id);
    expect(parseJobMessage(message ?? '')).toEqual({
      type: 'media-server.job',
      jobId: job.id,
      reason: 'api',
    });
    expect((await h.client.jobs.get(job.id)).id).toBe(job.id);
  });

  it('POST /v1/jobs records how the MP4 is made, and shows it; an unknown mode is a 400 naming the modes', async () => {
    await h.putVideo('library/mode.mp4', 10);
    const job = await h.client.jobs.create({
      key: 'library/mode.mp4',
      presets: ['mp4', 'hls'],
      mp4: 'separate',
    });
    expect(job.mp4).toBe('separate');
    expect((await store.readSpec(job.id))?.mp4).toBe('separate');
    expect((await h.client.jobs.get(job.id)).mp4).toBe('separate');
    const plain = await h.client.jobs.create({ key: 'library/mode.mp4' });
    expect(plain.mp4).toBeUndefined();
    await expect(
      h.client.jobs.create({ key: 'library/mode.mp4', mp4: 'twice' as 'separate' }),
    ).rejects.toMatchObject({
      status: 400,
      problem: {
        detail: 'body/mp4 must be one of: shared, separate',
        errors: [{ path: 'body/mp4', message: 'must be one of: shared, separate' }],
      },
    });
    await expect(
      h.client.jobs.create({ key: 'library/mode.mp4', presets: ['mp4', 'gif' as 'hls'] }),
    ).rejects.toMatchObject({
      problem: { detail: 'body/presets/1 must be one of: mp4, hls, poster, sprite, image, audio' },
    });
  });

  it('POST /v1/jobs refuses a missing object and the system prefixes', async () => {
    await expect(h.client.jobs.create({ key: 'library/none.mp4' })).rejects.toMatchObject({ status: 422 });
    await expect(h.client.jobs.create({ key: 'outputs/x/mp4/a.mp4' })).rejects.toMatchObject({ status: 422 });
  });

  it('GET /v1/jobs pages through every job, oldest first', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      created.push(
        (await h.client.uploads.create({ filename: `p${i}.mp4`, contentType: 'video/mp4', size: 1 })).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.client.jobs.list(cursor === undefined ? { limit: 2 } : { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 50);
    expect(seen).toEqual(expect.arrayContaining(created));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    expect(pages).toBeGreaterThan(1);
  });

  it('SSE shows queued, progress and succeeded (with output links) for a real upload', async () => {
    // Prepare: a real upload; the worker's part is played by writing status.json as it does.
    // (The end-to-end run with the real worker belongs to the worker/e2e suite.)
    const upload = await h.client.uploads.create({
      filename: 'clip.mp4',
      contentType: 'video/mp4',
      size: 100,
    });
    if (upload.method !== 'put') throw new Error('expected a single PUT');
    await putBytes(fetch, upload.url, bytes(100), upload.headers);
    const outputKey = `outputs/${upload.id}/mp4/clip.mp4`;
    const outputBytes = bytes(64, 3);

    // Act: read the stream; each event makes the "worker" take its next step.
    const events: JobEvent[] = [];
    const steps = [
      () =>
        store.updateStatus(
          upload.id,
          status(upload.id, upload.key, { progress: { percent: 10, stage: 'transcoding' } }),
        ),
      () =>
        store.updateStatus(
          upload.id,
          status(upload.id, upload.key, { progress: { percent: 60, stage: 'transcoding' } }),
        ),
      async () => {
        await h.s3.send(
          new PutObjectCommand({
            Bucket: 'media',
            Key: outputKey,
            Body: outputBytes,
            ContentType: 'video/mp4',
          }),
        );
        await store.updateStatus(
          upload.id,
          status(upload.id, upload.key, {
            state: 'succeeded',
            progress: { percent: 100, stage: 'uploading' },
            outputs: [{ preset: 'mp4', kind: 'mp4', key: outputKey, contentType: 'video/mp4', size: 64 }],
          }),
        );
      },
    ];
    const signal = AbortSignal.timeout(20_000);
    for await (const event of h.client.jobs.events(upload.id, { signal })) {
      events.push(event);
      if (event.event !== 'end') await steps.shift()?.();
    }

    // Assess
    const summary = events.map((event) =>
      event.event === 'state'
        ? `state:${event.data.state}`
        : event.event === 'progress'
          ? `progress:${event.data.progress.percent}`
          : event.event,
    );
    expect(summary).toEqual(['state:queued', 'state:processing', 'progress:60', 'state:succeeded', 'end']);
    const final = events.find((event) => event.event === 'state' && event.data.state === 'succeeded');
    if (final?.event !== 'state') throw new Error('no succeeded event');
    expect(final.data.progress?.percent).toBe(100);
    const link = final.data.outputs[0]?.url ?? '';
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(outputBytes))).toBe(true);
  });

  it('GET /v1/jobs/{id} shows a failed job with its error; DELETE removes it and its files', async () => {
    const upload = await h.client.uploads.create({ filename: 'bad.mp4', contentType: 'video/mp4', size: 4 });
    if (upload.method !== 'put') throw new Error('expected a single PUT');
    await putBytes(fetch, upload.url, bytes(4), upload.headers);
    await store.updateStatus(
      upload.id,
      status(upload.id, upload.key, {
        state: 'failed',
        error: { code: 'MEDIA_INVALID', message: 'not a media file', permanent: true },
      }),
    );
    const job = await h.client.jobs.get(upload.id);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'MEDIA_INVALID', permanent: true } });

    await h.client.jobs.delete(upload.id);
    await expect(h.client.jobs.get(upload.id)).rejects.toMatchObject({ status: 404 });
    const head = await h.api(`/v1/jobs/${upload.id}/events`);
    expect(head.status).toBe(404);
  });

  it('DELETE refuses a job a worker is processing unless forced', async () => {
    const upload = await h.client.uploads.create({ filename: 'busy.mp4', contentType: 'video/mp4', size: 4 });
    await store.updateStatus(upload.id, status(upload.id, upload.key, { state: 'processing' }));
    await expect(h.client.jobs.delete(upload.id)).rejects.toMatchObject({ status: 409 });
    await h.client.jobs.delete(upload.id, { force: true });
    await expect(h.client.jobs.get(upload.id)).rejects.toMatchObject({ status: 404 });
  });

  it('the event stream stops when the client goes away', async () => {
    const upload = await h.client.uploads.create({ filename: 'idle.mp4', contentType: 'video/mp4', size: 4 });
    for await (const event of h.client.jobs.events(upload.id)) {
      expect(event.event).toBe('state');
      break;
    }
    const deadline = Date.now() + 10_000;
    let open = Number.NaN;
    while (Date.now() < deadline) {
      const metrics = await (await h.api('/metrics')).text();
      open = Number(/^sse_connections (\d+)/m.exec(metrics)?.[1]);
      if (open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(open).toBe(0);
  });
});
