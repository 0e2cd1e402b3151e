import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, type Harness, type Loose, readJson, startHarness } from './harness.ts';

const MAX_BYTES = 150_000;

/** What Uppy 6's aws-s3 plugin does with a signed request: the request itself, straight to S3. */
async function sendToS3(
  url: string,
  method: string,
  body?: Uint8Array | string,
  contentType?: string,
): Promise<Response> {
  return fetch(url, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Blob([Buffer.from(body)]) }),
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
}

describe('POST /s3/sign (Uppy 6 signRequest)', () => {
  let harness: Harness;
  const sign = async (body: Record<string, unknown>): Promise<{ status: number; json: Loose }> => {
    const response = await harness.api('/s3/sign', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await readJson(response) };
  };

  /** Starts a multipart upload as Uppy does: sign the create, POST it to S3, read the UploadId. */
  async function startMultipart(filename: string): Promise<{ key: string; jobId: string; uploadId: string }> {
    const created = await sign({ method: 'POST', key: 'uppy-file-id', filename, type: 'video/mp4' });
    expect(created.status).toBe(200);
    const answer = await sendToS3(created.json.url, 'POST', undefined, 'video/mp4');
    expect(answer.status).toBe(200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await answer.text())?.[1];
    if (uploadId === undefined) throw new Error('S3 answered no UploadId');
    return { key: created.json.key, jobId: created.json.jobId, uploadId };
  }

  beforeAll(async () => {
    harness = await startHarness({ uploads: { maxBytes: MAX_BYTES } });
  });
  afterAll(async () => harness?.stop());

  it('signs a single PUT that S3 accepts with the type and size given, and makes it a job', async () => {
    // Prepare
    const data = bytes(1000);

    // Act
    const signed = await sign({
      method: 'PUT',
      key: 'f1',
      filename: 'clip.mp4',
      type: 'video/mp4',
      size: 1000,
    });
    const put = await sendToS3(signed.json.url, 'PUT', data, 'video/mp4');
    const wrongType = await sendToS3(signed.json.url, 'PUT', data, 'video/webm');

    // Assess
    expect(signed.status).toBe(200);
    expect(signed.json.key).toBe(`uploads/${signed.json.jobId}/clip.mp4`);
    expect(put.status).toBe(200);
    expect(wrongType.status).toBe(403);
    const job = await readJson(await harness.api(`/v1/jobs/${signed.json.jobId}`));
    expect(job.state).toBe('queued');
  });

  it('signs every step of a multipart upload: create, part, list (resume), complete', async () => {
    // Prepare
    const { key, jobId, uploadId } = await startMultipart('big.mp4');
    const data = bytes(2000, 7);

    // Act
    const part = await sign({ method: 'PUT', key, uploadId, partNumber: 1 });
    const partAnswer = await sendToS3(part.json.url, 'PUT', data);
    const etag = partAnswer.headers.get('etag');
    const list = await sign({ method: 'GET', key, uploadId });
    const listed = await (await sendToS3(list.json.url, 'GET')).text();
    const complete = await sign({ method: 'POST', key, uploadId });
    const completed = await sendToS3(
      complete.json.url,
      'POST',
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
      'application/xml',
    );

    // Assess
    expect(partAnswer.status).toBe(200);
    expect(listed).toContain('<PartNumber>1</PartNumber>');
    expect(complete.json.jobId).toBe(jobId);
    expect(completed.status).toBe(200);
    const job = await readJson(await harness.api(`/v1/jobs/${jobId}`));
    expect(job.state).toBe('queued');
    expect(job.source.size).toBe(2000);
  });

  it('refuses to complete parts over the upload limit, aborting the upload and removing the job', async () => {
    // Prepare
    const { key, jobId, uploadId } = await startMultipart('huge.mp4');
    const part = await sign({ method: 'PUT', key, uploadId, partNumber: 1 });
    expect((await sendToS3(part.json.url, 'PUT', bytes(MAX_BYTES + 1))).status).toBe(200);

    // Act
    const complete = await sign({ method: 'POST', key, uploadId });

    // Assess
    expect(complete.status).toBe(413);
    expect(complete.json.code).toBe('UPLOAD_TOO_LARGE');
    expect((await harness.api(`/v1/jobs/${jobId}`)).status).toBe(404);
  });

  it('signs the abort and removes the job', async () => {
    // Prepare
    const { key, jobId, uploadId } = await startMultipart('gone.mp4');

    // Act
    const abort = await sign({ method: 'DELETE', key, uploadId });
    const aborted = await sendToS3(abort.json.url, 'DELETE');

    // Assess
    expect(abort.status).toBe(200);
    expect(aborted.status).toBe(204);
    expect((await harness.api(`/v1/jobs/${jobId}`)).status).toBe(404);
  });

  it('refuses keys it did not hand out and requests it cannot sign', async () => {
    const single = await sign({ method: 'PUT', key: 'f2', filename: 'a.mp4', type: 'video/mp4', size: 10 });
    for (const [body, status] of [
      [{ method: 'PUT', key: 'uploads/01ARZ3NDEKTSV4RRFFQ69G5FAV/x.mp4', uploadId: 'u', partNumber: 1 }, 404],
      [{ method: 'GET', key: single.json.key, uploadId: 'u' }, 404], // a single upload has no parts
      [{ method: 'PUT', key: 'f3', filename: 'a.mp4', type: 'video/mp4' }, 400], // no size to sign
      [{ method: 'GET', key: 'f4' }, 400],
      [{ method: 'PUT', key: 'f5', filename: 'a.txt', type: 'text/plain', size: 10 }, 415],
      [{ method: 'PUT', key: 'f6', filename: 'a.mp4', type: 'video/mp4', size: MAX_BYTES + 1 }, 413],
    ] as const) {
      expect((await sign(body)).status, JSON.stringify(body)).toBe(status);
    }
  });
});
