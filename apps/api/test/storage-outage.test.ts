import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, readJson, startHarness } from './harness.ts';

describe('S3 unreachable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('GET /v1/jobs/{id} answers 503 problem+json with Retry-After while S3 cannot be reached', async () => {
    // Prepare: a job that exists, then S3 (and SQS) go away.
    const upload = await h.client.uploads.create({ filename: 'a.mp4', contentType: 'video/mp4', size: 4 });
    expect((await h.api(`/v1/jobs/${upload.id}`)).status).toBe(200);
    await h.aws.stop();

    // Act
    const response = await h.api(`/v1/jobs/${upload.id}`);

    // Assess
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await readJson(response)).code).toBe('UNAVAILABLE');
  });
});
