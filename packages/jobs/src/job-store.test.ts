import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalAws, startLocalAws } from '@media-server/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobDocumentError } from './errors.ts';
import { newJobId } from './job-id.ts';
import { JobStore } from './job-store.ts';
import { outputsPrefix, specKey, statusKey, uploadKey } from './keys.ts';
import type { JobSpec, JobStatus } from './schema.ts';
import { refuse } from './transition.ts';

const BUCKET = 'media';

function specOf(jobId: string): JobSpec {
  return {
    schemaVersion: 1,
    jobId,
    createdAt: new Date().toISOString(),
    source: { key: uploadKey(jobId, 'clip.mp4'), filename: 'clip.mp4', contentType: 'video/mp4', size: 1234 },
    presets: ['mp4', 'poster'],
    owner: 'key-1',
  };
}

function queuedStatus(jobId: string): JobStatus {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    jobId,
    state: 'queued',
    source: { bucket: BUCKET, key: uploadKey(jobId, 'clip.mp4') },
    attempts: 0,
    outputs: [],
    timings: { queuedAt: now },
    createdAt: now,
    updatedAt: now,
  };
}

describe('JobStore against local-aws S3', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;
  let store: JobStore;

  beforeAll(async () => {
    aws = await startLocalAws({ buckets: [BUCKET] });
    s3 = new S3Client(aws.clientConfig().s3);
    store = new JobStore({ s3, bucket: BUCKET });
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
  });

  it('reads back the spec it wrote, and refuses to write it twice', async () => {
    // Prepare
    const spec = specOf(newJobId());

    // Act
    await store.writeSpec(spec);
    const read = await store.readSpec(spec.jobId);
    const second = await store.writeSpec({ ...spec, owner: 'someone else' }).catch((error: unknown) => error);

    // Assess
    expect(read).toEqual(spec);
    expect((second as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
    expect((await store.readSpec(spec.jobId))?.owner).toBe('key-1');
  });

  it('reads a missing spec or status as undefined', async () => {
    // Act
    const jobId = newJobId();

    // Assess
    expect(await store.readSpec(jobId)).toBeUndefined();
    expect(await store.readStatus(jobId)).toBeUndefined();
  });

  it('throws JobDocumentError for a document that is not JSON, or not of its schema', async () => {
    // Prepare
    const notJson = newJobId();
    const wrongShape = newJobId();
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: specKey(notJson), Body: '{"schemaVersion":1,' }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: statusKey(wrongShape),
        Body: JSON.stringify({ state: 'lost' }),
      }),
    );

    // Act
    const parseError = await store.readSpec(notJson).catch((error: unknown) => error);
    const schemaError = await store.readStatus(wrongShape).catch((error: unknown) => error);

    // Assess
    expect(parseError).toBeInstanceOf(JobDocumentError);
    expect(parseError).toMatchObject({ code: 'JOB_DOCUMENT_INVALID', key: specKey(notJson) });
    expect(schemaError).toBeInstanceOf(JobDocumentError);
    expect(schemaError).toMatchObject({ key: statusKey(wrongShape) });
  });

  it('updateStatus creates the status, then updates it; undefined from the update leaves it', async () => {
    // Prepare
    const jobId = newJobId();
    const seen: (JobStatus | undefined)[] = [];

    // Act
    const created = await store.updateStatus(jobId, (current) => {
      seen.push(current);
      return queuedStatus(jobId);
    });
    const updated = await store.updateStatus(jobId, (current) => {
      seen.push(current);
      return current && { ...current, state: 'processing', attempts: current.attempts + 1 };
    });
    const untouched = await store.updateStatus(jobId, () => undefined);
    const stored = await store.readStatus(jobId);

    // Assess
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toEqual(created);
    expect(updated).toMatchObject({ state: 'processing', attempts: 1 });
    expect(untouched).toEqual(updated);
    expect(stored).toEqual(updated);
  });

  it('10 concurrent updateStatus calls, each adding 1 to attempts, end at 10: no update is lost', async () => {
    // Prepare: each writer can lose at most once to each of the 9 others, so 10 attempts always suffice.
    const jobId = newJobId();
    const contended = new JobStore({ s3, bucket: BUCKET, maxUpdateAttempts: 10 });
    await contended.updateStatus(jobId, () => queuedStatus(jobId));

    // Act
    await Promise.all(
      Array.from({ length: 10 }, () =>
        contended.updateStatus(jobId, (current) => {
          return current && { ...current, attempts: current.attempts + 1 };
        }),
      ),
    );
    const final = await contended.readStatus(jobId);

    // Assess
    expect(final?.attempts).toBe(10);
  });

  it('lists job ids page by page, oldest first', async () => {
    // Prepare: a bucket of its own, so other tests' jobs are not listed.
    const bucket = 'listing';
    const own = await startLocalAws({ buckets: [bucket] });
    const client = new S3Client(own.clientConfig().s3);
    try {
      const listing = new JobStore({ s3: client, bucket });
      const start = Date.now();
      const jobIds = [0, 1, 2, 3, 4].map((i) => newJobId(start + i * 1000));
      for (const jobId of [...jobIds].reverse()) await listing.writeSpec(specOf(jobId));
      await listing.updateStatus(jobIds[0] ?? '', () => queuedStatus(jobIds[0] ?? ''));

      // Act
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await listing.listJobIds({ limit: 2, after: cursor });
        pages.push(page.jobIds);
        cursor = page.next;
      } while (cursor !== undefined && pages.length < 10);

      // Assess
      expect(pages.flat()).toEqual(jobIds);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    } finally {
      client.destroy();
      await own.stop();
    }
  });

  it('transition writes what the transition answers, and passes a refusal through untouched', async () => {
    // Prepare
    const jobId = newJobId();
    await store.updateStatus(jobId, () => queuedStatus(jobId));

    // Act
    const written = await store.transition(jobId, (current) =>
      current === undefined ? refuse('no-status', 'none') : { ok: true, status: { ...current, attempts: 7 } },
    );
    const refused = await store.transition(jobId, () => refuse('not-holder', 'held by w2'));

    // Assess
    expect(written.ok && written.status.attempts).toBe(7);
    expect(refused).toEqual({ ok: false, reason: 'not-holder', message: 'held by w2' });
    expect((await store.readStatus(jobId))?.attempts).toBe(7);
  });

  it('headSource says size, ETag and type of an uploaded source, and undefined before the upload', async () => {
    // Prepare
    const jobId = newJobId();
    const key = uploadKey(jobId, 'clip.mp4');
    const missing = await store.headSource(key);
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'bytes', ContentType: 'video/mp4' }),
    );

    // Act
    const head = await store.headSource(key);

    // Assess
    expect(missing).toBeUndefined();
    expect(head).toMatchObject({ size: 5, contentType: 'video/mp4' });
    expect(head?.etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('deleteJob removes the spec, the status, the outputs and the upload, and nothing else', async () => {
    // Prepare
    const jobId = newJobId();
    const other = newJobId();
    await store.writeSpec(specOf(jobId));
    await store.writeSpec(specOf(other));
    await store.updateStatus(jobId, () => queuedStatus(jobId));
    const extra = [
      uploadKey(jobId, 'clip.mp4'),
      `${outputsPrefix(jobId)}mp4/clip.mp4`,
      `${outputsPrefix(jobId)}poster/poster.jpg`,
    ];
    for (const Key of extra) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'bytes' }));

    // Act
    const deleted = await store.deleteJob(jobId);

    // Assess
    expect(deleted).toBe(5);
    for (const prefix of [`jobs/${jobId}/`, `uploads/${jobId}/`, `outputs/${jobId}/`]) {
      const left = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      expect(left.KeyCount ?? 0).toBe(0);
    }
    expect((await store.readSpec(other))?.jobId).toBe(other);
  });
});
