import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/index.ts';
import { errorOf } from '../support/s3-helpers.ts';

const BUCKET = 'media';

describe('S3 conditional writes (If-Match, If-None-Match)', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    aws = await startLocalAws({ buckets: [BUCKET] });
    // No SDK retries: a 412 must reach the test as it was answered.
    s3 = new S3Client({ ...aws.clientConfig().s3, maxAttempts: 1 });
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
  });

  const put = (Key: string, Body: string, condition: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...condition }));

  const read = async (Key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body?.transformToString();

  it('If-None-Match: * creates the object once, then answers 412 PreconditionFailed', async () => {
    // Act
    const first = await put('docs/create-once.json', 'first', { IfNoneMatch: '*' });
    const second = await errorOf(put('docs/create-once.json', 'second', { IfNoneMatch: '*' }));

    // Assess
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second.name).toBe('PreconditionFailed');
    expect(second.$metadata.httpStatusCode).toBe(412);
    expect(await read('docs/create-once.json')).toBe('first');
  });

  it('If-Match writes over the ETag it names, refuses a stale one (412) and a missing key (404)', async () => {
    // Prepare
    const key = 'docs/if-match.json';
    const v1 = await put(key, 'v1');

    // Act
    const v2 = await put(key, 'v2', { IfMatch: v1.ETag ?? '' });
    const stale = await errorOf(put(key, 'v3', { IfMatch: v1.ETag ?? '' }));
    const missing = await errorOf(put('docs/never-written.json', 'x', { IfMatch: v1.ETag ?? '' }));
    const unquoted = await put(key, 'v4', { IfMatch: (v2.ETag ?? '').replaceAll('"', '') });

    // Assess
    expect(v2.ETag).not.toBe(v1.ETag);
    expect(stale.name).toBe('PreconditionFailed');
    expect(stale.$metadata.httpStatusCode).toBe(412);
    expect(missing.name).toBe('NoSuchKey');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(unquoted.ETag).toBeDefined();
    expect(await read(key)).toBe('v4');
  });

  it('of concurrent writers with the same If-Match, exactly one wins', async () => {
    // Prepare
    const key = 'docs/contended.json';
    const base = await put(key, 'base');
    const writers = Array.from({ length: 8 }, (_, i) => `writer ${i}`);

    // Act
    const results = await Promise.allSettled(
      writers.map((body) => put(key, body, { IfMatch: base.ETag ?? '' })),
    );

    // Assess
    const won = results.flatMap((result, i) => (result.status === 'fulfilled' ? [writers[i]] : []));
    const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(writers.length - 1);
    for (const error of lost) expect((error as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect(await read(key)).toBe(won[0]);
  });

  it('of concurrent writers with If-None-Match: *, exactly one creates the key', async () => {
    // Prepare
    const key = 'docs/created-concurrently.json';
    const writers = Array.from({ length: 8 }, (_, i) => `creator ${i}`);

    // Act
    const results = await Promise.allSettled(writers.map((body) => put(key, body, { IfNoneMatch: '*' })));

    // Assess
    const won = results.flatMap((result, i) => (result.status === 'fulfilled' ? [writers[i]] : []));
    expect(won).toHaveLength(1);
    expect(await read(key)).toBe(won[0]);
  });

  it('answers NotImplemented for If-None-Match with an ETag on a write, as S3 does', async () => {
    // Prepare
    const { ETag } = await put('docs/none-match-etag.json', 'x');

    // Act
    const error = await errorOf(put('docs/none-match-etag.json', 'y', { IfNoneMatch: ETag ?? '' }));

    // Assess
    expect(error.name).toBe('NotImplemented');
    expect(error.$metadata.httpStatusCode).toBe(501);
  });

  it('CompleteMultipartUpload with If-None-Match: * refuses an existing key and keeps the upload', async () => {
    // Prepare
    const key = 'uploads/complete-once.bin';
    await put(key, 'already here');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'new bytes' }),
    );
    const complete = () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          IfNoneMatch: '*',
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );

    // Act
    const refused = await errorOf(complete());
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));

    // Assess
    expect(refused.name).toBe('PreconditionFailed');
    expect(refused.$metadata.httpStatusCode).toBe(412);
    expect(parts.Parts?.map((p) => p.PartNumber)).toEqual([1]);
    expect(await read(key)).toBe('already here');
  });

  it('CompleteMultipartUpload with If-None-Match: * creates a new key', async () => {
    // Prepare
    const key = 'uploads/complete-new.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'fresh' }),
    );

    // Act
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        IfNoneMatch: '*',
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );

    // Assess
    expect(await read(key)).toBe('fresh');
  });

  it('CopyObject honours If-None-Match: * on the destination', async () => {
    // Prepare
    await put('docs/copy-source.json', 'source');
    await put('docs/copy-taken.json', 'taken');

    // Act
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'docs/copy-free.json',
        CopySource: `${BUCKET}/docs/copy-source.json`,
        IfNoneMatch: '*',
      }),
    );
    const refused = await errorOf(
      s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'docs/copy-taken.json',
          CopySource: `${BUCKET}/docs/copy-source.json`,
          IfNoneMatch: '*',
        }),
      ),
    );

    // Assess
    expect(await read('docs/copy-free.json')).toBe('source');
    expect(refused.$metadata.httpStatusCode).toBe(412);
    expect(await read('docs/copy-taken.json')).toBe('taken');
  });

  it('a reader never sees half a write: body, size and ETag always belong to one version', async () => {
    // Prepare: versions of very different sizes, written while readers read.
    const key = 'docs/torn.json';
    const versions = Array.from({ length: 12 }, (_, i) => 'x'.repeat(i % 2 === 0 ? 10 : 200_000) + i);
    await put(key, 'start');

    // Act
    const writes = (async () => {
      for (const body of versions) await put(key, body);
    })();
    const reads: { body: string; etag: string | undefined; length: number | undefined }[] = [];
    const reader = async () => {
      for (let i = 0; i < 12; i += 1) {
        const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        const body = (await object.Body?.transformToString()) ?? '';
        reads.push({ body, etag: object.ETag, length: object.ContentLength });
      }
    };
    await Promise.all([writes, reader(), reader()]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assess
    const known = new Set(['start', ...versions]);
    for (const { body, etag, length } of reads) {
      expect(known.has(body)).toBe(true);
      expect(length).toBe(body.length);
      expect(etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    }
    expect(head.ContentLength).toBe(versions.at(-1)?.length);
  });
});
