import {
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/index.ts';

const BUCKET = 'media';
const KEYS = [
  'jobs/a/spec.json',
  'jobs/a/status.json',
  'jobs/b/spec.json',
  'jobs/c/spec.json',
  'jobs/d/spec.json',
  'jobs/e/spec.json',
  'jobs/readme.txt',
];

describe('S3 ListObjects paging', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    aws = await startLocalAws({ buckets: [BUCKET] });
    s3 = new S3Client(aws.clientConfig().s3);
    for (const Key of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
  });

  it('counts common prefixes against MaxKeys and pages on with continuation tokens', async () => {
    // Act
    const pages: { prefixes: string[]; keys: string[]; keyCount: number | undefined }[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: 'jobs/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken,
        }),
      );
      pages.push({
        prefixes: (page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix ?? ''),
        keys: (page.Contents ?? []).map((object) => object.Key ?? ''),
        keyCount: page.KeyCount,
      });
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined && pages.length < 10);

    // Assess
    expect(pages).toEqual([
      { prefixes: ['jobs/a/', 'jobs/b/'], keys: [], keyCount: 2 },
      { prefixes: ['jobs/c/', 'jobs/d/'], keys: [], keyCount: 2 },
      { prefixes: ['jobs/e/'], keys: ['jobs/readme.txt'], keyCount: 2 },
    ]);
  });

  it('pages keys without a delimiter, as the SDK paginator reads them', async () => {
    // Act
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 3 },
      { Bucket: BUCKET, Prefix: 'jobs/' },
    )) {
      pages.push((page.Contents ?? []).map((object) => object.Key ?? ''));
    }

    // Assess
    expect(pages).toEqual([KEYS.slice(0, 3), KEYS.slice(3, 6), KEYS.slice(6)]);
  });

  it('pages ListObjects (v1) with NextMarker', async () => {
    // Act
    const first = await s3.send(
      new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'jobs/', Delimiter: '/', MaxKeys: 4 }),
    );
    const second = await s3.send(
      new ListObjectsCommand({
        Bucket: BUCKET,
        Prefix: 'jobs/',
        Delimiter: '/',
        MaxKeys: 4,
        Marker: first.NextMarker,
      }),
    );

    // Assess
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBe('jobs/d/');
    expect(second.IsTruncated).toBe(false);
    expect((second.CommonPrefixes ?? []).map((prefix) => prefix.Prefix)).toEqual(['jobs/e/']);
    expect((second.Contents ?? []).map((object) => object.Key)).toEqual(['jobs/readme.txt']);
  });

  it('refuses a continuation token it did not make', async () => {
    // Act
    const error = await s3
      .send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'bm90LW91cnM' }))
      .catch((caught: unknown) => caught as { name?: string; $metadata?: { httpStatusCode?: number } });

    // Assess
    expect(error).toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
  });
});
