import { JobStore, newJobId } from '@media-server/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKeys } from '../src/api-keys.ts';
import { type Harness, OTHER_KEY, readJson, startHarness, TEST_KEY } from './harness.ts';

const ADMIN_KEY = 'admin-key-5555555555';

describe('tenancy: a key sees only its own jobs, an admin key sees all', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, { adminKeys: { boss: ADMIN_KEY } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const as = (key: string, path: string, init: RequestInit = {}) =>
    h.api(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${key}` } });

  it('another key gets 404 for GET, DELETE and events, and does not see the job in the list', async () => {
    // Prepare: a job created by the test key.
    await h.putVideo('library/mine.mp4', 10);
    const job = await h.client.jobs.create({ key: 'library/mine.mp4' });

    // Act / Assess
    expect((await as(TEST_KEY, `/v1/jobs/${job.id}`)).status).toBe(200);
    expect((await as(OTHER_KEY, `/v1/jobs/${job.id}`)).status).toBe(404);
    expect((await as(OTHER_KEY, `/v1/jobs/${job.id}/events`)).status).toBe(404);
    expect((await as(OTHER_KEY, `/v1/jobs/${job.id}/playback`)).status).toBe(404);
    expect((await as(TEST_KEY, `/v1/jobs/${job.id}/playback`)).status).toBe(409);
    expect((await as(OTHER_KEY, `/v1/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(404);
    const otherList = await readJson(await as(OTHER_KEY, '/v1/jobs?limit=100'));
    expect(otherList.items.map((item: { id: string }) => item.id)).not.toContain(job.id);
    const ownList = await readJson(await as(TEST_KEY, '/v1/jobs?limit=100'));
    expect(ownList.items.map((item: { id: string }) => item.id)).toContain(job.id);
    // The job is still there for its owner after the other key's DELETE.
    expect((await as(TEST_KEY, `/v1/jobs/${job.id}`)).status).toBe(200);
  });

  it('an upload handed to one key cannot be completed or inspected by another', async () => {
    const upload = await h.client.uploads.create({ filename: 'x.mp4', contentType: 'video/mp4', size: 4 });
    const other = await as(OTHER_KEY, `/v1/uploads/${upload.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(other.status).toBe(404);
    expect((await as(OTHER_KEY, `/v1/uploads/${upload.id}/parts`)).status).toBe(404);
  });

  it('an admin key sees and deletes every job, including jobs of raw S3 events (no owner)', async () => {
    // Prepare: a job of the test key, and one a raw S3 event started (status only, no spec).
    await h.putVideo('library/theirs.mp4', 10);
    const job = await h.client.jobs.create({ key: 'library/theirs.mp4' });
    const store = new JobStore({ s3: h.s3, bucket: 'media' });
    const orphan = newJobId();
    await store.updateStatus(orphan, () => ({
      schemaVersion: 1,
      jobId: orphan,
      state: 'queued',
      source: { bucket: 'media', key: 'uploads/raw.mp4' },
      attempts: 0,
      outputs: [],
      timings: {},
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }));

    // Act / Assess: keys see only their own; the admin sees both.
    expect((await as(TEST_KEY, `/v1/jobs/${orphan}`)).status).toBe(404);
    expect((await as(ADMIN_KEY, `/v1/jobs/${orphan}`)).status).toBe(200);
    expect((await as(ADMIN_KEY, `/v1/jobs/${job.id}`)).status).toBe(200);
    const adminList = await readJson(await as(ADMIN_KEY, '/v1/jobs?limit=100'));
    const ids = adminList.items.map((item: { id: string }) => item.id);
    expect(ids).toEqual(expect.arrayContaining([job.id, orphan]));
    expect((await as(ADMIN_KEY, `/v1/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await as(TEST_KEY, `/v1/jobs/${job.id}`)).status).toBe(404);
  });
});

describe('API_KEYS admin marker', () => {
  it('parses <id>:<sha256>:admin and keeps the plain form a normal key', () => {
    const { keys, problems } = parseApiKeys(`a:${hashApiKey('x')}:admin,b:${hashApiKey('y')}`);
    expect(problems).toEqual([]);
    expect(keys.map((key) => [key.id, key.admin === true])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(parseApiKeys(`a:${hashApiKey('x')}:root`).problems[0]).toMatch(/\[:admin\]/);
  });
});
