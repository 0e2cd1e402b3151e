import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, type Harness, readJson, startHarness } from './harness.ts';
import { putBytes } from './put-bytes.ts';

/**
 * The requests `@uppy/aws-s3` sends to its `endpoint` (the Companion S3 routes), in the order and the
 * encoding its source uses, with the key in `headers: { authorization: 'Bearer …' }` as its `headers`
 * option sends it.
 */
describe('Uppy @uppy/aws-s3 routes', () => {
  let h: Harness;
  const json = { 'content-type': 'application/json' };
  beforeAll(async () => {
    h = await startHarness({ corsOrigins: ['https://app.example'] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('multipart: create, sign a batch and a single part, list, complete; the job is queued', async () => {
    const data = bytes(3 * 70_000, 5);
    const created = await h.api('/s3/multipart', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        filename: 'holiday film.mp4',
        type: 'video/mp4',
        metadata: { name: 'holiday film.mp4', type: 'video/mp4' },
      }),
    });
    expect(created.status).toBe(200);
    const { key, uploadId, jobId } = await readJson(created);
    expect(key).toBe(`uploads/${jobId}/holiday film.mp4`);
    const q = `key=${encodeURIComponent(key)}`;
    const base = `/s3/multipart/${encodeURIComponent(uploadId)}`;

    const batch = await readJson(await h.api(`${base}/batch?${q}&partNumbers=1,2`));
    const single = await readJson(await h.api(`${base}/3?${q}`));
    expect(Object.keys(batch.presignedUrls)).toEqual(['1', '2']);
    expect(single.expires).toBe(h.config.uploads.urlTtlSeconds);
    const urls = [batch.presignedUrls['1'], batch.presignedUrls['2'], single.url];
    const parts = [];
    for (const [index, url] of urls.entries()) {
      const etag = await putBytes(fetch, url, data.subarray(index * 70_000, (index + 1) * 70_000), {});
      parts.push({ ETag: etag, PartNumber: index + 1 });
    }
    const listed = await h.api(`${base}?${q}`);
    expect(listed.status).toBe(200);
    // Empty where the storage cannot list parts (local-aws): Uppy then sends every part again.
    const listedParts: { PartNumber: number }[] = await readJson(listed);
    expect(listedParts.length === 0 ? [] : listedParts.map((part) => part.PartNumber)).toEqual(
      listedParts.length === 0 ? [] : [1, 2, 3],
    );
    const completed = await h.api(`${base}/complete?${q}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ parts }),
    });
    expect(completed.status).toBe(200);
    const body = await readJson(completed);
    expect(body).toMatchObject({ key, bucket: 'media', jobId });
    expect(body.location).toMatch(/^http/);

    const object = await h.s3.send(new GetObjectCommand({ Bucket: 'media', Key: key }));
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? []).equals(Buffer.from(data))).toBe(
      true,
    );
    expect((await h.client.jobs.get(jobId)).state).toBe('queued');
    expect(await h.receiveUntil((message) => message.includes(jobId))).toBeDefined();
  });

  it("lets the page's origin call the routes from a browser (CORS preflight needs no key)", async () => {
    const preflight = await fetch(`${h.baseUrl}/s3/multipart`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await fetch(`${h.baseUrl}/s3/multipart`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const call = await h.api('/v1/jobs?limit=1', { headers: { origin: 'https://app.example' } });
    expect(call.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(call.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    // Event streams too (their reply is written by hand).
    const upload = await h.client.uploads.create({ filename: 'a.mp4', contentType: 'video/mp4', size: 1 });
    const controller = new AbortController();
    const stream = await h.api(`/v1/jobs/${upload.id}/events`, {
      headers: { origin: 'https://app.example' },
      signal: controller.signal,
    });
    expect(stream.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it('single upload through /s3/params (size from metadata[size])', async () => {
    const data = bytes(2000);
    const query = new URLSearchParams({
      filename: 'photo.jpg',
      type: 'image/jpeg',
      'metadata[size]': String(data.length),
    });
    const response = await h.api(`/s3/params?${query}`);
    const params = await readJson(response);
    expect(response.status, JSON.stringify(params)).toBe(200);
    expect(params).toMatchObject({
      method: 'PUT',
      fields: {},
      headers: { 'content-type': 'image/jpeg', 'content-length': '2000' },
    });
    await putBytes(fetch, params.url, data, params.headers);
    expect((await h.client.jobs.get(params.jobId)).state).toBe('queued');

    const withoutSize = await h.api(
      `/s3/params?${new URLSearchParams({ filename: 'a.jpg', type: 'image/jpeg' })}`,
    );
    expect(withoutSize.status).toBe(400);
    expect((await readJson(withoutSize)).detail).toMatch(/size/);
  });

  it('refuses keys and upload ids it did not hand out; abort removes the job', async () => {
    const created = await readJson(
      await h.api('/s3/multipart', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ filename: 'a.mp4', type: 'video/mp4' }),
      }),
    );
    const other = await h.api(
      `/s3/multipart/${created.uploadId}/1?key=${encodeURIComponent('uploads/elsewhere/a.mp4')}`,
    );
    expect(other.status).toBe(404);
    const wrongId = await h.api(`/s3/multipart/not-the-id/1?key=${encodeURIComponent(created.key)}`);
    expect(wrongId.status).toBe(404);
    const refused = await h.api('/s3/multipart', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ filename: 'a.zip', type: 'application/zip' }),
    });
    expect(refused.status).toBe(415);

    const aborted = await h.api(`/s3/multipart/${created.uploadId}?key=${encodeURIComponent(created.key)}`, {
      method: 'DELETE',
    });
    expect(aborted.status).toBe(200);
    expect(await readJson(aborted)).toEqual({});
    await expect(h.client.jobs.get(created.jobId)).rejects.toMatchObject({ status: 404 });
  });
});
