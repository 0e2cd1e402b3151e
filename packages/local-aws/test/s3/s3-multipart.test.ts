import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  paginateListParts,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/index.ts';
import { errorOf } from '../support/s3-helpers.ts';

const BUCKET = 'media';

describe('S3 multipart: ListParts and AbortMultipartUpload', { timeout: 60_000 }, () => {
  let aws: LocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    aws = await startLocalAws({ buckets: [BUCKET] });
    s3 = new S3Client(aws.clientConfig().s3);
  }, 30_000);

  afterAll(async () => {
    s3?.destroy();
    await aws?.stop();
  });

  async function startUpload(key: string): Promise<string> {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    if (!UploadId) throw new Error('no upload id');
    return UploadId;
  }

  async function uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: string,
  ): Promise<string> {
    const { ETag } = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
      }),
    );
    if (!ETag) throw new Error('no part ETag');
    return ETag;
  }

  it('lists the parts that arrived, with number, ETag and size', async () => {
    // Prepare: 2 of 3 parts, the third never sent.
    const key = 'uploads/resume me.bin';
    const uploadId = await startUpload(key);
    const etag1 = await uploadPart(key, uploadId, 1, 'first part');
    const etag3 = await uploadPart(key, uploadId, 3, 'third');

    // Act
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));

    // Assess
    expect(listed.Parts?.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual([
      { PartNumber: 1, ETag: etag1, Size: 'first part'.length },
      { PartNumber: 3, ETag: etag3, Size: 'third'.length },
    ]);
    expect(listed.Parts?.[0]?.LastModified).toBeInstanceOf(Date);
    expect(listed).toMatchObject({ Bucket: BUCKET, Key: key, UploadId: uploadId, IsTruncated: false });
  });

  it('pages with MaxParts and PartNumberMarker, and the SDK paginator follows them', async () => {
    // Prepare
    const key = 'uploads/paged.bin';
    const uploadId = await startUpload(key);
    for (const partNumber of [1, 2, 3, 4, 5])
      await uploadPart(key, uploadId, partNumber, `part ${partNumber}`);

    // Act
    const first = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MaxParts: 2 }),
    );
    const second = await s3.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MaxParts: 2,
        PartNumberMarker: first.NextPartNumberMarker,
      }),
    );
    const all: number[] = [];
    for await (const page of paginateListParts(
      { client: s3, pageSize: 2 },
      { Bucket: BUCKET, Key: key, UploadId: uploadId },
    )) {
      all.push(...(page.Parts ?? []).map((part) => part.PartNumber ?? 0));
    }

    // Assess
    expect(first.Parts?.map((part) => part.PartNumber)).toEqual([1, 2]);
    expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', MaxParts: 2 });
    expect(second.Parts?.map((part) => part.PartNumber)).toEqual([3, 4]);
    expect(second).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '4', PartNumberMarker: '2' });
    expect(all).toEqual([1, 2, 3, 4, 5]);
  });

  it('lists through a presigned URL with CORS (as a browser resuming an upload would)', async () => {
    // Prepare
    const key = 'uploads/presigned.bin';
    const uploadId = await startUpload(key);
    const etag = await uploadPart(key, uploadId, 2, 'two');
    const url = await getSignedUrl(
      s3,
      new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
    );

    // Act
    const response = await fetch(url, { headers: { Origin: 'http://app.example' } });
    const xml = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(xml).toContain(`<Part><PartNumber>2</PartNumber>`);
    expect(xml).toContain(`<ETag>${etag.replaceAll('"', '&quot;')}</ETag>`);
  });

  it('answers NoSuchUpload for an unknown upload id, or an upload of another key', async () => {
    // Prepare
    const uploadId = await startUpload('uploads/a.bin');

    // Act
    const unknown = await errorOf(
      s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'uploads/a.bin', UploadId: 'f'.repeat(32) })),
    );
    const otherKey = await errorOf(
      s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'uploads/b.bin', UploadId: uploadId })),
    );
    const traversal = await errorOf(
      s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'uploads/a.bin', UploadId: '../../etc' })),
    );

    // Assess
    for (const error of [unknown, otherKey, traversal]) {
      expect(error.name).toBe('NoSuchUpload');
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
  });

  it('aborts: the parts are gone, and later UploadPart, ListParts and Complete get NoSuchUpload', async () => {
    // Prepare
    const key = 'uploads/aborted.bin';
    const uploadId = await startUpload(key);
    const etag = await uploadPart(key, uploadId, 1, 'part one');
    await uploadPart(key, uploadId, 2, 'part two');

    // Act
    const aborted = await s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }),
    );
    const list = await errorOf(
      s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
    );
    const part = await errorOf(uploadPart(key, uploadId, 3, 'too late'));
    const complete = await errorOf(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] },
        }),
      ),
    );
    const again = await errorOf(
      s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
    );
    const object = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));

    // Assess
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    for (const error of [list, part, complete, again]) {
      expect(error.name).toBe('NoSuchUpload');
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
    expect(object.name).toBe('NoSuchKey');
  });

  it('refuses a part number outside 1..10000', async () => {
    // Prepare
    const key = 'uploads/bad-part.bin';
    const uploadId = await startUpload(key);

    // Act
    const error = await errorOf(uploadPart(key, uploadId, 10_001, 'x'));

    // Assess
    expect(error.name).toBe('InvalidArgument');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('answers InvalidPart to a completion naming a part never uploaded, and creates no object', async () => {
    // Prepare
    const key = 'uploads/missing-part.bin';
    const uploadId = await startUpload(key);
    const etag = await uploadPart(key, uploadId, 1, 'only part');

    // Act
    const error = await errorOf(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: etag },
              { PartNumber: 2, ETag: etag },
            ],
          },
        }),
      ),
    );
    const object = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));

    // Assess
    expect(error.name).toBe('InvalidPart');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(object.name).toBe('NoSuchKey');
  });

  it('still completes an upload, which then has no parts left to list', async () => {
    // Prepare
    const key = 'uploads/complete.bin';
    const uploadId = await startUpload(key);
    const parts = [
      { PartNumber: 1, ETag: await uploadPart(key, uploadId, 1, 'hello ') },
      { PartNumber: 2, ETag: await uploadPart(key, uploadId, 2, 'world') },
    ];

    // Act
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const list = await errorOf(
      s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
    );

    // Assess
    expect(await object.Body?.transformToString()).toBe('hello world');
    expect(list.name).toBe('NoSuchUpload');
  });
});
