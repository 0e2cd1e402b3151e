import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { ApiError } from '@media-server/client';
import { specKey } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, type Harness, readJson, startHarness } from './harness.ts';
import { putBytes } from './put-bytes.ts';

describe('uploads through real HTTP against local-aws', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('single upload: presigned PUT, the object exists, a notification arrives, the job is queued', async () => {
    // Prepare
    const data = bytes(1000);

    // Act
    const upload = await h.client.uploads.create({
      filename: "my clip's.mp4",
      contentType: 'video/mp4',
      size: data.length,
    });
    if (upload.method !== 'put') throw new Error('expected a single PUT');
    const before = await h.client.jobs.get(upload.id);
    await putBytes(fetch, upload.url, data, upload.headers);

    // Assess
    expect(upload.key).toBe(`uploads/${upload.id}/my clip's.mp4`);
    expect(upload.headers).toEqual({ 'content-type': 'video/mp4', 'content-length': '1000' });
    const signed = new URL(upload.url).searchParams.get('X-Amz-SignedHeaders');
    expect(signed?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
    expect(Number(new URL(upload.url).searchParams.get('X-Amz-Expires'))).toBe(
      h.config.uploads.urlTtlSeconds,
    );
    expect(before.state).toBe('awaiting_upload');
    const head = await h.s3.send(new HeadObjectCommand({ Bucket: 'media', Key: upload.key }));
    expect(head.ContentLength).toBe(1000);
    expect(head.ContentType).toBe('video/mp4');
    const event = await h.receiveUntil((body) => body.includes(upload.id));
    expect(event).toBeDefined();
    const record = JSON.parse(event ?? '{}').Records[0];
    expect(decodeURIComponent(record.s3.object.key.replaceAll('+', ' '))).toBe(upload.key);
    const after = await h.client.jobs.get(upload.id);
    expect(after.state).toBe('queued');
    expect(after.source).toMatchObject({ key: upload.key, size: 1000, contentType: 'video/mp4' });
    const completed = await h.client.uploads.complete(upload.id);
    expect(completed.state).toBe('queued');
  });

  it('writes the job spec with the upload plan, for the worker', async () => {
    const upload = await h.client.uploads.create({
      filename: 'a.mp4',
      contentType: 'video/mp4',
      size: 10,
      presets: ['mp4', 'poster'],
      webhookUrl: 'http://127.0.0.1:9/hook',
      mp4: 'separate',
    });
    const object = await h.s3.send(new GetObjectCommand({ Bucket: 'media', Key: specKey(upload.id) }));
    const spec = JSON.parse((await object.Body?.transformToString()) ?? '{}');
    expect(spec).toMatchObject({
      schemaVersion: 1,
      jobId: upload.id,
      source: { key: upload.key, filename: 'a.mp4', contentType: 'video/mp4', size: 10 },
      presets: ['mp4', 'poster'],
      webhookUrl: 'http://127.0.0.1:9/hook',
      mp4: 'separate',
      upload: { method: 'put' },
      owner: 'test',
    });
  });

  it('multipart upload above the threshold, resumed after a dropped part', async () => {
    // Prepare: 4 parts of 64 KiB and a last one of 1 KiB (over the 256 KiB threshold).
    const data = bytes(4 * 64 * 1024 + 1024, 7);
    const upload = await h.client.uploads.create({
      filename: 'big.mov',
      contentType: 'video/quicktime',
      size: data.length,
    });
    if (upload.method !== 'multipart') throw new Error('expected multipart');
    expect(upload.partCount).toBe(5);
    expect(upload.parts.map((part) => part.size)).toEqual([65536, 65536, 65536, 65536, 1024]);
    for (const part of upload.parts) {
      expect(new URL(part.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    }

    // Act: parts 1 and 2 arrive, part 3's connection drops mid-body.
    const etags = new Map<number, string>();
    for (const part of upload.parts.slice(0, 2)) {
      const start = (part.partNumber - 1) * upload.partSize;
      etags.set(
        part.partNumber,
        await putBytes(fetch, part.url, data.subarray(start, start + part.size), {}),
      );
    }
    const dropped = new AbortController();
    const third = upload.parts[2];
    if (third === undefined) throw new Error('no part 3');
    const halfway = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(data.subarray(2 * 65536, 2 * 65536 + 30000));
        setTimeout(() => dropped.abort(), 50);
      },
    });
    await expect(
      fetch(third.url, {
        method: 'PUT',
        body: halfway,
        headers: { 'content-length': String(third.size) },
        signal: dropped.signal,
        duplex: 'half',
      } as RequestInit),
    ).rejects.toThrow();
    await expect(
      h.client.uploads.complete(upload.id, {
        parts: [...etags].map(([partNumber, etag]) => ({ partNumber, etag })),
      }),
    ).rejects.toMatchObject({ status: 422 });

    // Resume: fresh URLs for what is missing, upload, complete.
    const resume = await h.client.uploads.parts(upload.id);
    expect(resume.uploadId).toBe(upload.uploadId);
    // local-aws lists parts as S3 does: only the missing parts 3-5 come back to upload.
    expect(resume.listed).toBe(true);
    expect(resume.uploadedParts.map((p) => p.partNumber)).toEqual([1, 2]);
    expect(resume.parts.map((p) => p.partNumber)).toEqual([3, 4, 5]);
    const missing = [3, 4, 5];
    for (const part of resume.parts.filter((p) => missing.includes(p.partNumber))) {
      const start = (part.partNumber - 1) * resume.partSize;
      etags.set(
        part.partNumber,
        await putBytes(fetch, part.url, data.subarray(start, start + part.size), {}),
      );
    }
    const job = await h.client.uploads.complete(upload.id, {
      parts: [...etags].map(([partNumber, etag]) => ({ partNumber, etag })),
    });

    // Assess
    expect(job.state).toBe('queued');
    const object = await h.s3.send(new GetObjectCommand({ Bucket: 'media', Key: upload.key }));
    const stored = new Uint8Array((await object.Body?.transformToByteArray()) ?? []);
    expect(stored.length).toBe(data.length);
    expect(Buffer.compare(Buffer.from(stored), Buffer.from(data))).toBe(0);
    expect(await h.receiveUntil((body) => body.includes(upload.id))).toBeDefined();
  });

  it('refuses a type or size outside the configured limits, with problem+json', async () => {
    const type = await h.api('/v1/uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'a.exe', contentType: 'application/x-msdownload', size: 10 }),
    });
    expect(type.status).toBe(415);
    expect(type.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await readJson(type)).detail).toMatch(/not accepted/);
    await expect(
      h.client.uploads.create({
        filename: 'a.mp4',
        contentType: 'video/mp4',
        size: h.config.uploads.maxBytes + 1,
      }),
    ).rejects.toMatchObject({ status: 413 });
  });

  it('aborts an upload: its job is gone', async () => {
    const upload = await h.client.uploads.create({
      filename: 'big.mp4',
      contentType: 'video/mp4',
      size: 300 * 1024,
    });
    await h.client.uploads.abort(upload.id);
    await expect(h.client.jobs.get(upload.id)).rejects.toBeInstanceOf(ApiError);
    await expect(h.client.jobs.get(upload.id)).rejects.toMatchObject({ status: 404 });
  });
});
